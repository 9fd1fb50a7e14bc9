/**
 * Policies the viewer can run by itself when no agent is training: a seeded random policy for any
 * env, and small hand-written controllers for envs where one exists, so the page shows something
 * that looks like behaviour (a balanced pole) and not only flailing.
 */
import type { AnyEnv } from '../../../envs/env.ts';
import { UsageError } from '../../../core/errors.ts';

export type Policy = (obs: any) => number | Float32Array;
export type PolicyName = 'random' | 'heuristic';
export const POLICY_NAMES: readonly PolicyName[] = ['random', 'heuristic'];

/** Samples the env's action space (seed it with `env.actionSpace.seed(seed)`). */
export function randomPolicy(env: AnyEnv): Policy {
  return () => env.actionSpace.sample();
}

/**
 * CartPole: push towards where the pole is falling. A linear rule on (x, ẋ, θ, θ̇); the x terms
 * pull the cart back to the middle so it does not run off the track. Balances for the full 500
 * steps from Gymnasium's start states (checked in test/viewer/sources.test.ts).
 */
function cartPole(obs: Float32Array): number {
  return 0.1 * obs[0]! + 0.5 * obs[1]! + 10 * obs[2]! + 2 * obs[3]! > 0 ? 1 : 0;
}

/**
 * Pendulum (obs cos θ, sin θ, θ̇; torque in [−2, 2]): pump energy until near the top, then a PD
 * controller holds it up.
 */
function pendulum(obs: Float32Array): Float32Array {
  const cos = obs[0]!, sin = obs[1]!, thetaDot = obs[2]!;
  const theta = Math.atan2(sin, cos);
  let torque: number;
  if (cos > 0.85) torque = -10 * theta - 1.5 * thetaDot;
  else {
    // Energy relative to upright (m = l = 1, g = 10): E = ½ θ̇² + g (cos θ − 1) ≤ 0; push along θ̇ while short.
    const energy = 0.5 * thetaDot * thetaDot + 10 * (cos - 1);
    torque = energy < 0 ? 2 * Math.sign(thetaDot || 1) : -0.5 * thetaDot;
  }
  return Float32Array.of(Math.max(-2, Math.min(2, torque)));
}

/** A residual-action tracking env (HumanoidTrack): zero residual = plain PD tracking of the clip. */
function zeroAction(env: AnyEnv): Policy {
  const zeros = new Float32Array(env.actionSpace.shape[0] ?? 0);
  return () => zeros;
}

const HEURISTICS: Record<string, (env: AnyEnv) => Policy> = {
  'CartPole-v1': () => cartPole,
  'Pendulum-v1': () => pendulum,
  'HumanoidTrack-v0': zeroAction,
};

/** Whether `heuristic` means something for this env (else it falls back to random). */
export function hasHeuristic(envId: string): boolean {
  return envId in HEURISTICS;
}

export function makePolicy(name: string, envId: string, env: AnyEnv): Policy {
  if (name === 'random') return randomPolicy(env);
  if (name === 'heuristic') return HEURISTICS[envId]?.(env) ?? randomPolicy(env);
  throw new UsageError(`unknown policy '${name}': use ${POLICY_NAMES.join(' or ')}`);
}
