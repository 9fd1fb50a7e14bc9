/**
 * Imports every room that registers envs, so the CLI (and worker threads started from it) see
 * every id. Add one line per room that calls `register()`.
 */
import '../envs/index.ts';
import '../mdp/index.ts';
import '../envs/character/index.ts';
import '../envs/imitation/index.ts';
