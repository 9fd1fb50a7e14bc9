/**
 * Imports every module that registers scenario agents (`registerScenarioAgent`). Rooms add one
 * line each: `import './<room>.ts';` for a file `src/cli/scenarios/<room>.ts`.
 */
import './agents.ts';
import './train.ts';
import './mdp.ts';
