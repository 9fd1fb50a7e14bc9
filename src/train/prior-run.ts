/**
 * Training a motion prior (`gymnast train-prior`), in the same run folder as the agents' runs
 * (`src/nn/run-folder.ts`, `docs/architecture.md` "The run folder"):
 *
 *   <out>/config.json       kind 'motion-prior', family, steps, seed, backend, dataset and model
 *                           hyperparameters (all defaults resolved; `generative/run.ts` has the schema)
 *   <out>/metrics.jsonl     CleanRL-style tags, one JSON object per line (metrics.ts)
 *   <out>/checkpoints/…     atomic checkpoints: the model's weights, optimizer, RNG and counters,
 *                           plus what generation needs without the dataset
 *
 * A run resumed from checkpoint k continues exactly as the run that was never stopped: the
 * dataset is rebuilt from the same files and config, and everything random comes from the
 * prior's checkpointed Rng.
 */
import { join, resolve } from 'node:path';
import { ValidationError } from '../core/errors.ts';
import { Rng } from '../core/rng.ts';
import { initBackend, type BackendInfo } from '../nn/backend.ts';
import { readCheckpoint, restoreFrom, writeCheckpoint } from '../nn/checkpoint.ts';
import { claimRunFolder, lockRunFolder, resumeCheckpoint, runHyperparameters, writeRunConfig } from '../nn/run-folder.ts';
import { gatherWindows, listWindows, loadMotionDataset, type MotionDataset } from '../generative/dataset.ts';
import { priorDefinition } from '../generative/families.ts';
import { checkCheckpointFamily, datasetMeta, priorContext, readPriorRunConfig, RUN_KIND, withMeta, type PriorRunConfig } from '../generative/run.ts';
import { resolvePriorConfig } from './config.ts';
import { MetricsLog, prefixed } from './metrics.ts';
import type { RunFolderArgs } from './run-config.ts';

const VERSION = '0.1.0';

/**
 * A prior's run: steps are optimizer steps (default 2000), checkpoints at least 100 apart by
 * default, folder runs/prior-<family>-<seed>. The config file holds model hyperparameters plus a
 * `dataset:` mapping; `set` takes `key` for the model and `dataset.key` for the dataset.
 */
export interface TrainPriorArgs extends RunFolderArgs {
  family: string;
  /** Steps between metric records (default 50). */
  logEvery?: number;
  /** Held-out windows evaluated at each checkpoint (0: none; default 128). */
  evalWindows?: number;
  /** Stop (with a checkpoint) once training has taken this long, seconds; resume continues. */
  maxSeconds?: number;
  /** A dataset already loaded with the run's dataset config (tests). */
  dataset?: MotionDataset;
}

export interface PriorRunCallbacks {
  onStart?(info: { runDir: string; config: PriorRunConfig; backend: BackendInfo; resumedFrom: number | null; trainWindows: number }): void;
  onMetrics?(step: number, values: Record<string, number>): void;
  onCheckpoint?(info: { step: number; path: string; eval?: Record<string, number> }): void;
}

export interface TrainPriorResult {
  runDir: string;
  config: PriorRunConfig;
  step: number;
  lastCheckpoint: string;
  seconds: number;
  /** True when `maxSeconds` ended the run before `steps`. */
  stoppedEarly: boolean;
}

// ---------------------------------------------------------------- training

export async function trainPrior(args: TrainPriorArgs, callbacks: PriorRunCallbacks = {}): Promise<TrainPriorResult> {
  const t0 = performance.now();
  const { runDir, config, resumeFrom } = args.resume ? loadRunConfig(args) : newRun(args);
  // One trainer per run folder at a time (nn/run-folder.ts).
  const lock = lockRunFolder(runDir);
  try {
    const def = priorDefinition(config.family);
    const backend = await initBackend(args.backend ?? (args.resume ? config.backend.name || 'auto' : 'auto'));
    config.backend = { requested: backend.requested, name: backend.name, simd: backend.simd, threads: backend.threads };
    const hp = runHyperparameters(def.schema, runDir, config.config);
    const ds = args.dataset ?? loadMotionDataset(config.dataset);
    if (!args.resume || args.steps !== undefined) writeRunConfig(runDir, config);
    const metrics = new MetricsLog(join(runDir, 'metrics.jsonl'));
    if (!resumeFrom) metrics.truncateAfter(-1); // a folder stopped before its first checkpoint starts over
    // The meta (labels, standardiser, seed frames) comes from its own stream so the model's is untouched.
    const { meta, seedFrames, seedLabels } = datasetMeta(ds, config.family, new Rng(config.seed + 1));
    const rng = new Rng(config.seed);
    const model = def.create(priorContext(meta, seedFrames, seedLabels, rng, config.steps), hp);
    const checkpointsDir = join(runDir, 'checkpoints');
    const heldOut = listWindows(ds, 'heldout');
    const evalRows = heldOut.length > 0 && config.evalWindows > 0 ? evenRows(heldOut.length, config.evalWindows) : null;
    const evalData = evalRows ? { x: gatherWindows(ds, heldOut, evalRows), labels: Int32Array.from(evalRows, (r) => heldOut.label[r]!) } : null;
    try {
      let lastCheckpoint = '';
      if (resumeFrom) {
        const data = readCheckpoint(resumeFrom);
        checkCheckpointFamily(data, config.family, resumeFrom);
        restoreFrom(resumeFrom, () => model.restore(data, resumeFrom));
        lastCheckpoint = resumeFrom;
      }
      const resumedFrom = resumeFrom ? model.step : null;
      if (resumedFrom !== null) metrics.truncateAfter(resumedFrom);
      callbacks.onStart?.({ runDir, config, backend, resumedFrom, trainWindows: listWindows(ds, 'train', 1).length });
      const sums: Record<string, number> = {};
      let count = 0, windowStart = performance.now();
      const seconds = () => (performance.now() - t0) / 1000;
      const report = (step: number, values: Record<string, number>) => {
        metrics.write(step, seconds(), values);
        callbacks.onMetrics?.(step, values);
      };
      let stoppedEarly = false;
      const save = () => {
        const data = withMeta(model.checkpoint(), meta, seedFrames, seedLabels);
        lastCheckpoint = writeCheckpoint(checkpointsDir, `step-${String(model.step).padStart(9, '0')}`, model.step, data);
        let evalValues: Record<string, number> | undefined;
        if (evalData) {
          // Evaluation draws from its own stream: the training stream must not depend on it.
          evalValues = prefixed('eval/', model.evaluate(evalData.x, evalData.labels, new Rng(config.seed + 7 + model.step)));
          report(model.step, evalValues);
        }
        callbacks.onCheckpoint?.({ step: model.step, path: lastCheckpoint, eval: evalValues });
      };
      while (model.step < config.steps) {
        const values = model.trainStep(ds);
        for (const [k, v] of Object.entries(values)) sums[k] = (sums[k] ?? 0) + v;
        count++;
        if (model.step % config.logEvery === 0 || model.step === config.steps) {
          const out: Record<string, number> = {};
          for (const [k, v] of Object.entries(sums)) out[k] = v / count;
          const dt = (performance.now() - windowStart) / 1000;
          out['charts/SPS'] = Math.round((count / dt) * 100) / 100;
          report(model.step, out);
          for (const k of Object.keys(sums)) delete sums[k];
          count = 0;
          windowStart = performance.now();
        }
        const timeUp = args.maxSeconds !== undefined && seconds() >= args.maxSeconds;
        if (model.step % config.checkpointEvery === 0 || model.step === config.steps || timeUp) save();
        if (timeUp && model.step < config.steps) {
          stoppedEarly = true;
          break;
        }
      }
      if (!lastCheckpoint) save();
      return { runDir, config, step: model.step, lastCheckpoint, seconds: seconds(), stoppedEarly };
    } finally {
      model.dispose();
    }
  } finally {
    lock.release();
  }
}

function evenRows(total: number, want: number): Int32Array {
  const n = Math.min(total, want);
  return Int32Array.from({ length: n }, (_, i) => Math.floor((i * total) / n));
}

function newRun(args: TrainPriorArgs): { runDir: string; config: PriorRunConfig; resumeFrom: null } {
  const def = priorDefinition(args.family);
  const steps = args.steps ?? 2000, seed = args.seed ?? 0;
  for (const [name, v, min] of [['steps', steps, 1], ['seed', seed, 0]] as const) {
    if (!Number.isSafeInteger(v) || v < min) throw new ValidationError('train-prior arguments', [{ path: name, message: `must be an integer ≥ ${min}, got ${v}` }]);
  }
  const { config, dataset } = resolvePriorConfig(def.name, args.configFile, args.set);
  const checkpointEvery = args.checkpointEvery ?? Math.max(100, Math.ceil(steps / 10));
  const logEvery = args.logEvery ?? 50;
  for (const [name, v] of [['checkpointEvery', checkpointEvery], ['logEvery', logEvery]] as const) {
    if (!Number.isSafeInteger(v) || v < 1) throw new ValidationError('train-prior arguments', [{ path: name, message: `must be a positive integer, got ${v}` }]);
  }
  const runDir = claimRunFolder(args.out ?? join('runs', `prior-${def.name}-${seed}`));
  return {
    runDir,
    resumeFrom: null,
    config: {
      gymnast: VERSION,
      kind: RUN_KIND,
      family: def.name,
      steps,
      seed,
      checkpointEvery,
      logEvery,
      evalWindows: args.evalWindows ?? 128,
      backend: { requested: args.backend ?? 'auto', name: '' },
      dataset,
      config,
    },
  };
}

function loadRunConfig(args: TrainPriorArgs): { runDir: string; config: PriorRunConfig; resumeFrom: string } {
  const runDir = resolve(args.resume!);
  const config = readPriorRunConfig(runDir, args.family || undefined);
  if (args.steps !== undefined) config.steps = args.steps;
  return { runDir, config, resumeFrom: resumeCheckpoint(args.resume!) };
}

