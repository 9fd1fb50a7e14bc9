/**
 * The env catalog: every env gymnast ships, one line per module that defines (registers) them, in
 * one list, as Gymnasium's `envs/__init__.py` is. `registry.ts` loads it, so every id is known
 * wherever `make` or `spec` can be called (any entry point, a worker thread), with no import to
 * remember first. Adding an env: its file, and one line here.
 *
 * The modules load when the registry does, not one by one when an id is first asked for: `make`
 * is synchronous (as Gymnasium's is), ESM's `import()` is not, and the physics modules start
 * Rapier with a top-level await, which Node's synchronous `require` of an ES module refuses.
 */
import './classic/cartpole.ts'; // CartPole-v1
import './classic/pendulum.ts'; // Pendulum-v1
import './classic/acrobot.ts'; // Acrobot-v1
import './locomotion/ant.ts'; // Ant-v1
import './character/index.ts'; // HumanoidTrack-v0
import './imitation/index.ts'; // HumanoidImitate-v0, BipedImitate-v0
import './tabular/gridworlds.ts'; // GridWorld4x4-v0, GridWorld5x5-v0
import './tabular/frozen-lake.ts'; // FrozenLake-v1, FrozenLake8x8-v1
import './tabular/cliff-walking.ts'; // CliffWalking-v0
import './tabular/windy-gridworld.ts'; // WindyGridworld-v0
import './tabular/taxi.ts'; // Taxi-v3
import './tabular/random-walk.ts'; // RandomWalk5-v0, RandomWalk19-v0
import './tabular/gambler.ts'; // Gambler-v0
import './tabular/blackjack.ts'; // Blackjack-v1
