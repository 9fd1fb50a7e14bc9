/**
 * `gymnast export RUN --format tfjs-layers --out DIR`: a run's greedy policy as a standard
 * TensorFlow.js LayersModel, which `tf.loadLayersModel(url)` loads in a page and in Node, with no
 * gymnast needed to run it.
 *
 * The folder:
 *
 *   model.json    the LayersModel: topology (a Sequential of Dense layers) and the weights manifest
 *   weights.bin   the weights (float32)
 *   policy.json   what the model does not say: the env, the observation normalizer (written
 *                 beside the model rather than folded in: folding a clipped normalization into a
 *                 Dense layer changes its rounding), and how outputs become an action
 *
 * To act as gymnast's greedy policy does (`agent.act(obs, 1, out, true)`, agents/agent.ts
 * `GreedyPolicy`):
 *
 *   z = obsNorm ? clip((obs − mean) / √(var + epsilon), −clip, clip) : obs     computed in float64
 *   y = model.predict(tf.tensor2d([z]))                                        float32
 *   action = action.kind === 'argmax' ? argmax(y) : clip(y, low, high)
 *
 * test/train/export.test.ts checks that this gives gymnast's own actions for 100 observations.
 */
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { UsageError } from '../core/errors.ts';
import { joinPath } from '../core/paths.ts';
import type { GreedyPolicy } from '../agents/agent.ts';
import { loadRunAgent } from './evaluate.ts';

export const EXPORT_FORMATS = ['tfjs-layers'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** policy.json: the parts of the policy a LayersModel has no place for. */
export interface ExportedPolicy {
  format: 'gymnast-policy/1';
  /** The env the policy acts in, with the options it was trained with. */
  env: string;
  envOptions: Record<string, unknown>;
  agent: string;
  /** The checkpoint exported, and its env step. */
  checkpoint: string;
  step: number;
  observationSize: number;
  obsNorm: GreedyPolicy['obsNorm'];
  action: GreedyPolicy['action'];
  /** The recipe above, in words, for whoever opens the file. */
  usage: string;
}

export interface ExportResult {
  outDir: string;
  files: string[];
  policy: ExportedPolicy;
}

/** The greedy policy as a tf.Sequential (the last layer cut to the policy's outputs). */
export function policyModel(p: GreedyPolicy): tf.Sequential {
  const layers = p.sizes.length - 1;
  const model = tf.sequential({ name: 'gymnast_policy' });
  for (let i = 0; i < layers; i++) {
    const last = i === layers - 1;
    const units = last ? p.outputs : p.sizes[i + 1]!;
    model.add(tf.layers.dense({ units, activation: last ? 'linear' : p.activation, inputShape: i === 0 ? [p.sizes[0]!] : undefined, name: `dense_${i}` }));
    const [inSize, outSize] = [p.sizes[i]!, p.sizes[i + 1]!];
    let kernel = p.weights[2 * i]!;
    let bias = p.weights[2 * i + 1]!;
    if (units !== outSize) {
      // Keep the policy's columns of a shared actor-critic head (the value column goes).
      const cut = new Float32Array(inSize * units);
      for (let r = 0; r < inSize; r++) cut.set(kernel.subarray(r * outSize, r * outSize + units), r * units);
      kernel = cut;
      bias = bias.slice(0, units);
    }
    model.layers[i]!.setWeights([tf.tensor2d(kernel, [inSize, units]), tf.tensor1d(bias)]);
  }
  return model;
}

/** Writes the export of `runDir`'s latest (or best) checkpoint into `outDir`. */
export async function exportPolicy(runDir: string, options: { format: string; outDir: string; best?: boolean; backend?: string }): Promise<ExportResult> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(options.format)) throw new UsageError(`--format must be ${EXPORT_FORMATS.join(' or ')}, got '${options.format}'`);
  const run = await loadRunAgent(runDir, { best: options.best, backend: options.backend });
  try {
    const greedy = run.agent.greedyPolicy();
    const model = policyModel(greedy);
    let artifacts: tf.io.ModelArtifacts | null = null;
    await model.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    model.dispose();
    const a = artifacts as tf.io.ModelArtifacts | null;
    if (!a?.weightData || !a.weightSpecs) throw new Error('tfjs produced no weights for the model');
    const weightData = Array.isArray(a.weightData) ? a.weightData : [a.weightData];
    const bytes = new Uint8Array(weightData.reduce((n, b) => n + b.byteLength, 0));
    let offset = 0;
    for (const b of weightData) {
      bytes.set(new Uint8Array(b), offset);
      offset += b.byteLength;
    }
    const modelJson = {
      format: 'layers-model',
      generatedBy: a.generatedBy,
      convertedBy: 'gymnast export',
      modelTopology: a.modelTopology,
      weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
    };
    const policy: ExportedPolicy = {
      format: 'gymnast-policy/1',
      env: run.config.env,
      envOptions: run.config.envOptions,
      agent: run.config.agent,
      checkpoint: run.checkpoint,
      step: run.step,
      observationSize: greedy.sizes[0]!,
      obsNorm: greedy.obsNorm,
      action: greedy.action,
      usage:
        'z = obsNorm ? clip((obs - mean) / sqrt(var + epsilon), -clip, clip) : obs (per feature, in float64); y = model.predict(z as a [1, observationSize] float32 tensor); ' +
        "action = action.kind == 'argmax' ? argmax(y) : clip(y, action.low, action.high)",
    };
    const files = ['model.json', 'weights.bin', 'policy.json'];
    writeFileAtomic(joinPath(options.outDir, 'weights.bin'), bytes);
    writeFileAtomic(joinPath(options.outDir, 'policy.json'), JSON.stringify(policy, null, 1) + '\n');
    // model.json last: a folder with a model.json is complete.
    writeFileAtomic(joinPath(options.outDir, 'model.json'), JSON.stringify(modelJson) + '\n');
    return { outDir: options.outDir, files, policy };
  } finally {
    run.close();
  }
}
