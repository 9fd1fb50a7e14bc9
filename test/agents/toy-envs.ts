/**
 * Tiny envs for agent tests, with answers known in closed form. Registered under Test* ids.
 *
 * - `TestCounter-v0` (truncated at 5 steps) and `TestCounterTerminal-v0` (terminated at step 5):
 *   reward 1 every step whatever the action. With γ, the true value of every state is 1/(1 − γ)
 *   when the end is a truncation (the task goes on; agents must bootstrap), and
 *   (1 − γ^(5−t))/(1 − γ) when it is a termination. The truncated counter's obs is a constant [0.5]
 *   (the final state then looks like every other, as a time limit does not show in the state);
 *   the terminal one's is [t / 5].
 * - `TestSign-v0`: obs = [±1] at random; action 1 pays 1 when the sign is +, action 0 when it is −;
 *   one step per episode. Discrete. Optimal return 1.
 * - `TestReach-v0`: obs = [c] with c uniform in [−0.8, 0.8]; a 1-D action pays −(a − c)²;
 *   one step per episode. Continuous (actions in [−3, 3]): the optimal mean action is c.
 * - `TestPlane-v0`: the index arithmetic of several dimensions. obs = [c₀, c₁, t/3] with c uniform
 *   in [−0.8, 0.8]² at reset (one observation per row, three scales); a 2-D action pays
 *   −|a − c|²; terminated after 3 steps when c₀ > 0, else truncated there (maxEpisodeSteps 3).
 */
import { Box, Discrete } from '../../src/core/spaces.ts';
import { Rng } from '../../src/core/rng.ts';
import type { Env, StepResult } from '../../src/envs/env.ts';
import { register } from '../../src/envs/registry.ts';

class Counter implements Env<Float32Array, number> {
  readonly observationSpace = new Box(0, 1, [1]);
  readonly actionSpace = new Discrete(2);
  private t = 0;
  constructor(readonly id: string, private readonly terminal: boolean) {}
  reset() {
    this.t = 0;
    return { obs: Float32Array.of(this.terminal ? 0 : 0.5), info: {} };
  }
  step(): StepResult<Float32Array> {
    this.t++;
    return { obs: Float32Array.of(this.terminal ? this.t / 5 : 0.5), reward: 1, terminated: this.terminal && this.t >= 5, truncated: false, info: {} };
  }
  close() {}
}

class Sign implements Env<Float32Array, number> {
  readonly id = 'TestSign-v0';
  readonly observationSpace = new Box(-1, 1, [1]);
  readonly actionSpace = new Discrete(2);
  private rng = new Rng(0);
  private s = 1;
  reset(options?: { seed?: number }) {
    if (options?.seed !== undefined) this.rng.seed(options.seed);
    this.s = this.rng.random() < 0.5 ? -1 : 1;
    return { obs: Float32Array.of(this.s), info: {} };
  }
  step(a: number): StepResult<Float32Array> {
    return { obs: Float32Array.of(this.s), reward: (a === 1) === this.s > 0 ? 1 : 0, terminated: true, truncated: false, info: {} };
  }
  close() {}
}

class Reach implements Env<Float32Array, Float32Array> {
  readonly id = 'TestReach-v0';
  readonly observationSpace = new Box(-1, 1, [1]);
  // Wide bounds: clipping a wide Gaussian at ±1 would move the optimal mean away from c.
  readonly actionSpace = new Box(-3, 3, [1]);
  private rng = new Rng(0);
  private c = 0;
  reset(options?: { seed?: number }) {
    if (options?.seed !== undefined) this.rng.seed(options.seed);
    this.c = this.rng.uniform(-0.8, 0.8);
    return { obs: Float32Array.of(this.c), info: {} };
  }
  step(a: Float32Array): StepResult<Float32Array> {
    return { obs: Float32Array.of(this.c), reward: -((a[0]! - this.c) ** 2), terminated: true, truncated: false, info: {} };
  }
  close() {}
}

class Plane implements Env<Float32Array, Float32Array> {
  readonly id = 'TestPlane-v0';
  readonly observationSpace = new Box(-1, 1, [3]);
  readonly actionSpace = new Box(-3, 3, [2]);
  private rng = new Rng(0);
  private c = [0, 0];
  private t = 0;
  reset(options?: { seed?: number }) {
    if (options?.seed !== undefined) this.rng.seed(options.seed);
    this.c = [this.rng.uniform(-0.8, 0.8), this.rng.uniform(-0.8, 0.8)];
    this.t = 0;
    return { obs: Float32Array.of(this.c[0]!, this.c[1]!, 0), info: {} };
  }
  step(a: Float32Array): StepResult<Float32Array> {
    this.t++;
    const reward = -((a[0]! - this.c[0]!) ** 2 + (a[1]! - this.c[1]!) ** 2);
    return { obs: Float32Array.of(this.c[0]!, this.c[1]!, this.t / 3), reward, terminated: this.t >= 3 && this.c[0]! > 0, truncated: false, info: {} };
  }
  close() {}
}

const common = { module: import.meta.url, family: 'test' };
register({ id: 'TestCounter-v0', create: () => new Counter('TestCounter-v0', false), maxEpisodeSteps: 5, description: 'reward 1 a step, truncated at 5', ...common });
register({ id: 'TestCounterTerminal-v0', create: () => new Counter('TestCounterTerminal-v0', true), description: 'reward 1 a step, terminated at 5', ...common });
register({ id: 'TestSign-v0', create: () => new Sign(), description: 'match the sign', ...common });
register({ id: 'TestReach-v0', create: () => new Reach(), description: 'reach the target', ...common });
register({ id: 'TestPlane-v0', create: () => new Plane(), maxEpisodeSteps: 3, description: 'reach a target in the plane', ...common });

/** True value of the counter state at time t (0..4). */
export function counterValue(t: number, gamma: number, terminal: boolean): number {
  return terminal ? (1 - gamma ** (5 - t)) / (1 - gamma) : 1 / (1 - gamma);
}
