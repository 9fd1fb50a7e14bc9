/**
 * A continuous env seen as a tabular one: observations become cells of a `StateAggregation`
 * (a Discrete space), and a Box action space becomes a grid of levels (evenly spaced from low to
 * high in each dimension, both ends included) indexed by one Discrete action. Discrete actions
 * pass through. The tabular learners and the empirical model run on it unchanged; the physics
 * underneath is untouched, so a policy found on the cells runs in the real env.
 */
import { Box, Discrete } from '../../core/spaces.ts';
import { ValidationError } from '../../core/errors.ts';
import type { RenderFrame } from '../../core/frame.ts';
import type { AnyEnv, Env, ResetResult, StepResult } from '../../envs/env.ts';
import type { StateAggregation } from './state-aggregation.ts';

export interface DiscretizedEnvOptions {
  /** Levels per action dimension for a Box action space (default 5). */
  actionLevels?: number;
}

export class DiscretizedEnv implements Env<number, number> {
  readonly observationSpace: Discrete;
  readonly actionSpace: Discrete;
  /** The continuous action of each Discrete action (Box action spaces only). */
  readonly actionTable: Float32Array[] | undefined;
  /** The last continuous observation (the cell hides it). */
  lastObservation: Float32Array = new Float32Array(0);

  constructor(
    readonly env: AnyEnv,
    readonly aggregation: StateAggregation,
    options: DiscretizedEnvOptions = {},
  ) {
    if (!(env.observationSpace instanceof Box)) {
      throw new ValidationError(env.id, [{ path: 'observationSpace', message: `DiscretizedEnv needs a Box observation space, got ${env.observationSpace.toString()}` }]);
    }
    this.observationSpace = new Discrete(aggregation.numStates);
    const actions = env.actionSpace;
    if (actions instanceof Discrete) {
      this.actionSpace = new Discrete(actions.n);
    } else if (actions instanceof Box) {
      const levels = options.actionLevels ?? 5;
      if (!Number.isInteger(levels) || levels < 2) throw new ValidationError(env.id, [{ path: 'actionLevels', message: `must be an integer ≥ 2, got ${levels}` }]);
      this.actionTable = actionGrid(actions, levels);
      this.actionSpace = new Discrete(this.actionTable.length);
    } else throw new ValidationError(env.id, [{ path: 'actionSpace', message: `unsupported action space ${String(actions)}` }]);
  }

  get id(): string {
    return this.env.id;
  }

  reset(options?: { seed?: number }): ResetResult<number> {
    const r = this.env.reset(options);
    this.lastObservation = r.obs as Float32Array;
    return { obs: this.aggregation.index(this.lastObservation), info: r.info };
  }

  step(action: number): StepResult<number> {
    const r = this.env.step(this.actionTable ? this.actionTable[action]! : action);
    this.lastObservation = r.obs as Float32Array;
    return { obs: this.aggregation.index(this.lastObservation), reward: r.reward, terminated: r.terminated, truncated: r.truncated, info: r.info };
  }

  frame(): RenderFrame {
    if (!this.env.frame) throw new TypeError(`${this.id} does not render frames`);
    return this.env.frame();
  }

  close(): void {
    this.env.close();
  }
}

/** Every combination of `levels` evenly spaced values per dimension, first dimension slowest. */
function actionGrid(box: Box, levels: number): Float32Array[] {
  let grid: number[][] = [[]];
  for (let i = 0; i < box.size; i++) {
    const lo = box.low[i]!;
    const hi = box.high[i]!;
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new ValidationError('DiscretizedEnv', [{ path: `actionSpace.low/high.${i}`, message: 'a Box action space must be bounded to be discretized' }]);
    const values = Array.from({ length: levels }, (_, k) => lo + ((hi - lo) * k) / (levels - 1));
    grid = grid.flatMap((prefix) => values.map((v) => [...prefix, v]));
  }
  return grid.map((a) => Float32Array.from(a));
}
