/**
 * `checkEnv(env)`: a conformance check for any env, ours or a user's (Gymnasium's
 * `check_env`). It collects every problem and says what to fix:
 *
 * - the spaces are well-formed `Box` / `Discrete` spaces;
 * - `reset` returns an observation inside the observation space and an info object;
 * - `reset({ seed })` twice gives the same observation, and the same actions then give the same
 *   observations, rewards and flags, bit for bit;
 * - `step` returns a finite number reward, boolean flags, an info object, an observation in space;
 * - `frame()`, when present, gives 7 floats per body;
 * - `close()` can be called twice.
 *
 * The env is stepped, reset and closed: pass one you can spare.
 */
import { GymnastError } from '../core/errors.ts';
import { Box, Discrete, explainNotContained, type Space } from '../core/spaces.ts';
import { TRANSFORM_STRIDE } from '../core/frame.ts';
import type { AnyEnv, StepResult } from './env.ts';

export class EnvCheckError extends GymnastError {
  constructor(
    readonly envId: string,
    readonly problems: readonly string[],
  ) {
    super(`${envId} failed checkEnv:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export interface CheckOptions {
  /** Steps compared for determinism. */
  steps?: number;
  seed?: number;
}

export interface CheckReport {
  id: string;
  stepsChecked: number;
  warnings: string[];
}

function spaceProblems(name: string, space: Space<unknown> | undefined): string[] {
  if (!space) return [`${name} is missing: set it in the constructor to a Box or Discrete`];
  if (!(space instanceof Box) && !(space instanceof Discrete)) return [`${name} is ${String(space)}: use Box or Discrete from gymnast`];
  if (space instanceof Box) {
    const out: string[] = [];
    if (space.size === 0) out.push(`${name} is an empty Box: give it a shape with at least one element`);
    for (let i = 0; i < space.size; i++) {
      if (!(space.low[i]! <= space.high[i]!)) out.push(`${name}.low[${i}] > high[${i}]`);
    }
    return out;
  }
  return [];
}

function sameBits(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b);
  if (a instanceof Float32Array && b instanceof Float32Array) {
    if (a.length !== b.length) return false;
    const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
    const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
    for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return false;
    return true;
  }
  return false;
}

function copyObs(o: unknown): unknown {
  return o instanceof Float32Array ? o.slice() : o;
}

/** Checks an env; throws EnvCheckError listing every problem, or returns a report. */
export function checkEnv(env: AnyEnv, options: CheckOptions = {}): CheckReport {
  const steps = options.steps ?? 50;
  const seed = options.seed ?? 123;
  const id = env.id ?? '(env without id)';
  const problems: string[] = [];
  const warnings: string[] = [];
  const obsSpace = env.observationSpace as Space<unknown>;
  const actSpace = env.actionSpace as Space<unknown>;

  problems.push(...spaceProblems('observationSpace', obsSpace), ...spaceProblems('actionSpace', actSpace));
  if (problems.length > 0) throw new EnvCheckError(id, problems);

  const checkObs = (where: string, obs: unknown) => {
    const why = explainNotContained(obsSpace, obs);
    if (why !== null) problems.push(`${where}: observation not in observationSpace ${obsSpace}: ${why}`);
  };
  const checkStep = (where: string, r: StepResult<unknown>) => {
    if (typeof r.reward !== 'number' || !Number.isFinite(r.reward)) problems.push(`${where}: reward must be a finite number, got ${r.reward}`);
    if (typeof r.terminated !== 'boolean') problems.push(`${where}: terminated must be a boolean, got ${typeof r.terminated}`);
    if (typeof r.truncated !== 'boolean') problems.push(`${where}: truncated must be a boolean, got ${typeof r.truncated}`);
    if (typeof r.info !== 'object' || r.info === null) problems.push(`${where}: info must be an object`);
    if (!r.info?.error) checkObs(where, r.obs);
  };

  // One seeded rollout, recorded.
  actSpace.seed(seed);
  const first = env.reset({ seed });
  if (typeof first?.info !== 'object' || first.info === null) problems.push('reset: must return { obs, info } with an info object');
  checkObs('reset', first?.obs);
  const actions: unknown[] = [];
  const trace: StepResult<unknown>[] = [];
  for (let t = 0; t < steps; t++) {
    const a = actSpace.sample();
    actions.push(a instanceof Float32Array ? a.slice() : a);
    const r = env.step(a);
    checkStep(`step ${t}`, r);
    trace.push({ ...r, obs: copyObs(r.obs) });
    if (r.terminated || r.truncated || problems.length > 0) break;
  }

  // The same seed and actions again: the same numbers.
  const again = env.reset({ seed });
  if (!sameBits(first.obs, again.obs)) {
    problems.push('reset({ seed }) twice gave different observations: seed every random draw of reset from the seed (use an Rng seeded in reset)');
  } else {
    for (let t = 0; t < trace.length; t++) {
      const r = env.step(actions[t]);
      const e = trace[t]!;
      if (!sameBits(r.obs, e.obs) || !Object.is(r.reward, e.reward) || r.terminated !== e.terminated || r.truncated !== e.truncated) {
        problems.push(`step ${t} after the same seed and actions differs from the first run: the env has randomness or state not reset by reset({ seed })`);
        break;
      }
    }
  }

  // A different seed should usually change the start (warn only: some envs start deterministically).
  const other = env.reset({ seed: seed + 1 });
  if (sameBits(first.obs, other.obs)) warnings.push('reset with a different seed gave the same observation (fine if the start state is fixed)');

  if (env.frame) {
    try {
      const f = env.frame();
      if (f.transforms.length !== f.scene.bodies.length * TRANSFORM_STRIDE) {
        problems.push(`frame(): transforms has ${f.transforms.length} floats for ${f.scene.bodies.length} bodies; it needs ${TRANSFORM_STRIDE} per body`);
      }
      if (!f.transforms.every(Number.isFinite)) problems.push('frame(): transforms contain non-finite numbers');
    } catch (e) {
      problems.push(`frame() threw: ${(e as Error).message}`);
    }
  }

  try {
    env.close();
    env.close();
  } catch (e) {
    problems.push(`close() twice threw: ${(e as Error).message}; make close() idempotent`);
  }

  if (problems.length > 0) throw new EnvCheckError(id, problems);
  return { id, stepsChecked: trace.length, warnings };
}
