/**
 * What the model-free tabular learners share: their options (one zod schema; each method says
 * which fields it reads), step-size and ε schedules, ε-greedy action choice, an episode buffer
 * that does not allocate per step, and the result types. The learners run on any `Env` with
 * Discrete observation and action spaces: the tabular envs of this room, or a continuous env
 * behind `DiscretizedEnv`.
 */
import { z } from 'zod';
import { ValidationError } from '../../core/errors.ts';
import { Rng } from '../../core/rng.ts';
import { Discrete } from '../../core/spaces.ts';
import type { AnyEnv } from '../../envs/env.ts';

// ---------------------------------------------------------------------------------------------
// Schedules

/**
 * A step size or ε over training: a number (constant), `1/n` (one over the visit count of the
 * state or pair being updated: the sample average), `linear:from:to:episodes` (straight line,
 * then flat), or `exp:from:factor:min` (from · factor^episode, not below min).
 */
export type ScheduleSpec = number | string;

export interface Schedule {
  /** The value at `episode` (0-based) for an update whose state or pair has now been visited `visits` times. */
  at(episode: number, visits: number): number;
  readonly spec: string;
}

const NUMBER = String.raw`[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?`;
const LINEAR = new RegExp(`^linear:(${NUMBER}):(${NUMBER}):(\\d+)$`);
const EXP = new RegExp(`^exp:(${NUMBER}):(${NUMBER}):(${NUMBER})$`);

/** Parses a schedule; `name` (e.g. `alpha`) names it in the error. Values must lie in [0, 1]. */
export function parseSchedule(spec: ScheduleSpec, name: string): Schedule {
  const bad = (why: string) =>
    new ValidationError('learning options', [{ path: name, message: `${why} (got '${spec}'; use a number, 1/n, linear:from:to:episodes or exp:from:factor:min)` }]);
  const inUnit = (x: number) => x >= 0 && x <= 1;
  const text = String(spec).trim();
  if (text === '1/n') return { spec: text, at: (_e, n) => 1 / Math.max(1, n) };
  const constant = typeof spec === 'number' ? spec : text !== '' && !Number.isNaN(Number(text)) ? Number(text) : undefined;
  if (constant !== undefined) {
    if (!inUnit(constant)) throw bad('must be in [0, 1]');
    return { spec: text, at: () => constant };
  }
  let m = LINEAR.exec(text);
  if (m) {
    const [from, to, episodes] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (!inUnit(from) || !inUnit(to)) throw bad('values must be in [0, 1]');
    return { spec: text, at: (e) => (e >= episodes ? to : from + ((to - from) * e) / Math.max(1, episodes)) };
  }
  m = EXP.exec(text);
  if (m) {
    const [from, factor, min] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (!inUnit(from) || !inUnit(min) || !(factor > 0 && factor <= 1)) throw bad('from and min must be in [0, 1], factor in (0, 1]');
    return { spec: text, at: (e) => Math.max(min, from * factor ** e) };
  }
  throw bad('not a schedule');
}

// ---------------------------------------------------------------------------------------------
// Options

const schedule = z.union([z.number(), z.string()]);

export const learnOptionsSchema = z
  .object({
    episodes: z.number().int().positive().describe('episodes to run'),
    gamma: z.number().min(0, 'the discount must be in [0, 1]').max(1, 'the discount must be in [0, 1]').default(1).describe('discount factor γ'),
    alpha: schedule.optional().describe('step size schedule (default: 1/n for Monte Carlo, 0.1 for TD methods)'),
    epsilon: schedule.default(0.1).describe('exploration schedule of the ε-greedy behaviour policy'),
    seed: z.number().int().nonnegative().default(0).describe('seeds the env (first reset) and every choice the learner makes'),
    initialValue: z.number().default(0).describe('initial Q (or V) of every entry'),
    firstVisit: z.boolean().default(true).describe('Monte Carlo: average only the first visit of a state (or pair) per episode'),
    maxEpisodeSteps: z.number().int().positive().default(100_000).describe('safety cut: an episode this long is truncated (a greedy policy can loop forever)'),
    startStates: z.array(z.number().int().nonnegative()).optional().describe('exploring starts: the states to start from (default: all)'),
  })
  .strict();

export type LearnOptionsInput = z.input<typeof learnOptionsSchema>;

export interface LearnOptions extends Omit<z.output<typeof learnOptionsSchema>, 'alpha' | 'epsilon'> {
  alpha: Schedule;
  epsilon: Schedule;
}

/** Validates options; `defaultAlpha` is the method's step size when none is given. */
export function resolveLearnOptions(input: LearnOptionsInput, defaultAlpha: ScheduleSpec): LearnOptions {
  const r = learnOptionsSchema.safeParse(input);
  if (!r.success) {
    throw new ValidationError(
      'learning options',
      r.error.issues.map((i) => {
        const path = i.path.join('.');
        const given = path ? (input as Record<string, unknown>)[path] : undefined;
        return { path, message: given === undefined ? i.message : `${i.message}, got ${JSON.stringify(given)}` };
      }),
    );
  }
  return { ...r.data, alpha: parseSchedule(r.data.alpha ?? defaultAlpha, 'alpha'), epsilon: parseSchedule(r.data.epsilon, 'epsilon') };
}

// ---------------------------------------------------------------------------------------------
// Env sizes, action choice, episodes

/** Numbers of states and actions of an env with Discrete spaces (starting at 0). */
export function tabularSizes(env: AnyEnv): { numStates: number; numActions: number } {
  const o = env.observationSpace;
  const a = env.actionSpace;
  if (!(o instanceof Discrete) || !(a instanceof Discrete) || o.start !== 0 || a.start !== 0) {
    throw new ValidationError(`${env.id}`, [
      {
        path: 'spaces',
        message: `tabular methods need Discrete observation and action spaces starting at 0, got ${o.toString()} and ${a.toString()} (wrap a continuous env in DiscretizedEnv)`,
      },
    ]);
  }
  return { numStates: o.n, numActions: a.n };
}

/** An action with the largest q in row s, ties broken uniformly at random (so equal values do not favour action 0). */
export function argmaxRandomTie(q: ArrayLike<number>, s: number, numActions: number, rng: Rng): number {
  const base = s * numActions;
  let best = -Infinity;
  let count = 0;
  let choice = 0;
  for (let a = 0; a < numActions; a++) {
    const v = q[base + a]!;
    if (v > best) {
      best = v;
      count = 1;
      choice = a;
    } else if (v === best && rng.int(++count) === 0) choice = a;
  }
  return choice;
}

/** ε-greedy: a uniformly random action with probability ε, else a greedy one. */
export function epsilonGreedy(q: ArrayLike<number>, s: number, numActions: number, epsilon: number, rng: Rng): number {
  return rng.random() < epsilon ? rng.int(numActions) : argmaxRandomTie(q, s, numActions, rng);
}

/** π(a | s) of the ε-greedy policy on row s, into `out` (greedy mass split among tied maxima). */
export function epsilonGreedyProbabilities(q: ArrayLike<number>, s: number, numActions: number, epsilon: number, out: Float64Array): Float64Array {
  const base = s * numActions;
  let best = -Infinity;
  for (let a = 0; a < numActions; a++) best = Math.max(best, q[base + a]!);
  let ties = 0;
  for (let a = 0; a < numActions; a++) if (q[base + a] === best) ties++;
  for (let a = 0; a < numActions; a++) out[a] = epsilon / numActions + (q[base + a] === best ? (1 - epsilon) / ties : 0);
  return out;
}

/** Samples an action from row s of a policy table. */
export function sampleAction(policy: ArrayLike<number>, s: number, numActions: number, rng: Rng): number {
  let u = rng.random();
  for (let a = 0; a < numActions - 1; a++) {
    u -= policy[s * numActions + a]!;
    if (u < 0) return a;
  }
  return numActions - 1;
}

/** One episode's states, actions, rewards and behaviour probabilities, in growable typed arrays. */
export class EpisodeBuffer {
  length = 0;
  states = new Int32Array(256);
  actions = new Int32Array(256);
  rewards = new Float64Array(256);
  /** Probability the behaviour policy gave the action (off-policy Monte Carlo). */
  probs = new Float64Array(256);

  clear(): void {
    this.length = 0;
  }

  push(s: number, a: number, reward: number, prob = 1): void {
    if (this.length === this.states.length) {
      const grow = <T extends Int32Array | Float64Array>(x: T): T => {
        const y = new (x.constructor as new (n: number) => T)(x.length * 2);
        y.set(x);
        return y;
      };
      this.states = grow(this.states);
      this.actions = grow(this.actions);
      this.rewards = grow(this.rewards);
      this.probs = grow(this.probs);
    }
    this.states[this.length] = s;
    this.actions[this.length] = a;
    this.rewards[this.length] = reward;
    this.probs[this.length] = prob;
    this.length++;
  }
}

/**
 * The learner's generator and the env's seed, both from the one seed: the env gets a seed drawn
 * from the learner's stream, so the two streams are not the same sequence.
 */
export function seedStreams(seed: number): { rng: Rng; envSeed: number } {
  const rng = new Rng(seed);
  return { rng, envSeed: rng.nextUint32() };
}

/** The env's first reset takes the seed; later ones continue its stream (Gymnasium's convention). */
export function resetEpisode(env: AnyEnv, episode: number, envSeed: number): number {
  return env.reset(episode === 0 ? { seed: envSeed } : undefined).obs as number;
}

// ---------------------------------------------------------------------------------------------
// Results

export interface EpisodeHooks {
  /** Called after each episode with its undiscounted return and length. */
  onEpisode?(episode: number, episodeReturn: number, length: number): void;
}

interface LearningCurve {
  /** Undiscounted return of each episode, in order: the learning curve. */
  returns: Float64Array;
  /** Steps of each episode. */
  lengths: Int32Array;
  /** Env steps taken in all. */
  steps: number;
}

export interface PredictionResult extends LearningCurve {
  /** State values, by state. */
  values: Float64Array;
}

export interface ControlResult extends LearningCurve {
  /** Action values, s · numActions + a. */
  q: Float64Array;
  /** Greedy action by state. */
  policy: Int32Array;
}

/** Collects the learning curve. */
export class CurveRecorder {
  readonly returns: Float64Array;
  readonly lengths: Int32Array;
  steps = 0;

  constructor(
    episodes: number,
    private readonly hooks: EpisodeHooks = {},
  ) {
    this.returns = new Float64Array(episodes);
    this.lengths = new Int32Array(episodes);
  }

  end(episode: number, episodeReturn: number, length: number): void {
    this.returns[episode] = episodeReturn;
    this.lengths[episode] = length;
    this.steps += length;
    this.hooks.onEpisode?.(episode, episodeReturn, length);
  }
}
