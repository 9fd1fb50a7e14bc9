/**
 * Imports every env module of this room so their `register()` calls run. Add one line per env
 * file. (Tabular envs register from `src/mdp/`, the humanoid from `src/envs/character/`.)
 */
import './classic/cartpole.ts';
import './classic/pendulum.ts';
import './classic/acrobot.ts';
import './locomotion/ant.ts';
