/**
 * The formats the fuzz suite mutates, each with its real seed files and what is done with a
 * mutated one: the same readers (and, where there are some, writers) the CLI calls, in-process.
 * A case either succeeds or must throw a GymnastError with a one-line message (see engine.ts).
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { Rng } from '../../src/core/rng.ts';
import { parseBvh, readBvh, writeBvh } from '../../src/motion/bvh.ts';
import { dataPath } from '../../src/motion/data-path.ts';
import { readCharacter } from '../../src/motion/deepmimic-character.ts';
import { pdGainsForSkeleton, readController } from '../../src/motion/deepmimic-controller.ts';
import { readDeepMimicMotion, writeDeepMimicMotion } from '../../src/motion/deepmimic-motion.ts';
import { Kinematics } from '../../src/motion/kinematics.ts';
import { convertClip, loadClip } from '../../src/motion/load.ts';
import { resample } from '../../src/motion/resample.ts';
import type { Skeleton } from '../../src/motion/skeleton.ts';
import { readYamlMapping } from '../../src/core/settings.ts';
import { loadScenarioFile } from '../../src/cli/scenarios/schema.ts';
import { type Mutation, type Mutator, mutate, pick, structural, textMutators } from './mutate.ts';

const here = new URL('.', import.meta.url).pathname;
export const repoRoot = join(here, '..', '..');

/** One case: the input written under `dir`, and what to do with it. */
export interface FuzzCase {
  what: string;
  run(): unknown;
}

export interface FuzzFormat {
  name: string;
  /** Loads seeds and anything shared by the cases (characters, a backend); once per worker. */
  setup(): Promise<(rng: Rng, dir: string, index: number) => FuzzCase>;
}

const quiet = { onWarning: () => {} };
const json = (rng: Rng, b: Buffer) => structural(rng, b, JSON.parse, (v) => JSON.stringify(v, null, rng.random() < 0.5 ? 1 : undefined));
const yaml = (rng: Rng, b: Buffer) => structural(rng, b, (t) => parseYaml(t), (v) => stringifyYaml(v));

/** A BVH file cut to its hierarchy and first `frames` frames (the CMU files are megabytes). */
function bvhHead(file: string, frames: number): Buffer {
  const text = readFileSync(file, 'utf8');
  const at = text.indexOf('MOTION');
  const lines = text.slice(at).split(/\r?\n/);
  const head = text.slice(0, at) + ['MOTION', `Frames: ${frames}`, lines[2], ...lines.slice(3, 3 + frames)].join('\n') + '\n';
  return Buffer.from(head);
}

/** BVH-specific mutations: a keyword swapped for another, a joint chain nested deep. */
const bvhMutators: Mutator[] = [
  ...textMutators('{'),
  (rng, b) => {
    const words = ['ROOT', 'JOINT', 'End', 'Site', 'OFFSET', 'CHANNELS', '{', '}', 'MOTION', 'Frames:', 'Frame', 'Time:', 'Xrotation', 'Zposition', '6', '3', '0'];
    const text = b.toString('latin1');
    const from = pick(rng, words);
    const at = text.indexOf(from, rng.int(text.length));
    if (at < 0) return null;
    const to = pick(rng, words);
    return { bytes: Buffer.from(text.slice(0, at) + to + text.slice(at + from.length), 'latin1'), what: `word ${from} → ${to} at ${at}` };
  },
  (rng, b) => {
    const depth = pick(rng, [200, 257, 5000, 20_000]);
    const text = b.toString('latin1');
    const at = text.indexOf('JOINT');
    if (at < 0) return null;
    let chain = '';
    for (let i = 0; i < depth; i++) chain += `JOINT deep${i}\n{\nOFFSET 0 1 0\nCHANNELS 0\n`;
    chain += '}\n'.repeat(depth);
    return { bytes: Buffer.from(text.slice(0, at) + chain + text.slice(at), 'latin1'), what: `chain of ${depth} JOINTs at ${at}` };
  },
];

const bvh: FuzzFormat = {
  name: 'bvh',
  async setup() {
    const seeds = [
      readFileSync(dataPath('bvh', 'fairmotion', 'sinusoidal.bvh')),
      bvhHead(dataPath('bvh', 'fairmotion', 'cmu_01_01.bvh'), 20),
      bvhHead(dataPath('bvh', 'cmu131', 'scaled_131_01.bvh'), 20),
    ];
    return (rng, dir) => {
      const m = mutate(rng, pick(rng, seeds), bvhMutators);
      const file = join(dir, 'clip.bvh');
      writeFileSync(file, m.bytes);
      const scale = rng.random() < 0.2 ? pick(rng, [1e-300, 1e300, 0.056444]) : 1;
      const fps = pick(rng, [30, 1000, 0.5, 120]);
      return {
        what: `${m.what}${scale !== 1 ? `; scale ${scale}` : ''}; fps ${fps}`,
        run() {
          const clip = readBvh(file, { scale });
          const k = new Kinematics(clip);
          k.atFrame(clip.numFrames - 1).firstNonFinite();
          parseBvh(readFileSync(file, 'utf8'), { scale });
          writeBvh(join(dir, 'out.bvh'), resample(clip, fps));
          convertClip(file, join(dir, 'out2.bvh'), { scale, fps });
        },
      };
    };
  },
};

function motionFormat(): FuzzFormat {
  return {
    name: 'deepmimic-motion',
    async setup() {
      const humanoid = readCharacter(dataPath('deepmimic', 'characters', 'humanoid3d.txt'));
      const biped = readCharacter(dataPath('deeploco', 'characters', 'biped3d_mocap.txt'));
      const seeds: [Buffer, Skeleton][] = [
        [readFileSync(dataPath('deepmimic', 'motions', 'humanoid3d_walk.txt')), humanoid],
        [readFileSync(dataPath('deepmimic', 'motions', 'humanoid3d_jump.txt')), humanoid],
        [readFileSync(dataPath('deeploco', 'motions', 'biped3d_walk.txt')), biped],
      ];
      const mutators = [...textMutators('['), json, json];
      return (rng, dir) => {
        const [seed, skeleton] = pick(rng, seeds);
        const m = mutate(rng, seed, mutators);
        // No character in the name: loadClip guesses it from the frame length, as the CLI does.
        const file = join(dir, 'clip.txt');
        writeFileSync(file, m.bytes);
        const fps = pick(rng, [30, 1000, 0.5, 60]);
        return {
          what: `${m.what}; fps ${fps}`,
          run() {
            const clip = readDeepMimicMotion(file, skeleton, quiet);
            new Kinematics(clip).atFrame(clip.numFrames - 1);
            writeDeepMimicMotion(join(dir, 'out.txt'), resample(clip, fps), quiet);
            loadClip(file, quiet);
            convertClip(file, join(dir, 'out.bvh'), { fps, ...quiet });
          },
        };
      };
    },
  };
}

const character: FuzzFormat = {
  name: 'deepmimic-character',
  async setup() {
    const seeds: [Buffer, 'character' | 'controller', string][] = [
      [readFileSync(dataPath('deepmimic', 'characters', 'humanoid3d.txt')), 'character', ''],
      [readFileSync(dataPath('deeploco', 'characters', 'biped3d_mocap.txt')), 'character', ''],
      [readFileSync(dataPath('deepmimic', 'controllers', 'humanoid3d_ctrl.txt')), 'controller', dataPath('deepmimic', 'characters', 'humanoid3d.txt')],
    ];
    const walk = readFileSync(dataPath('deepmimic', 'motions', 'humanoid3d_walk.txt'));
    const mutators = [...textMutators('{'), json, json, json];
    return (rng, dir) => {
      const [seed, kind, characterFile] = pick(rng, seeds);
      const m = mutate(rng, seed, mutators);
      const file = join(dir, `${kind}.txt`);
      writeFileSync(file, m.bytes);
      writeFileSync(join(dir, 'walk.txt'), walk);
      return {
        what: `${kind}: ${m.what}`,
        run() {
          if (kind === 'controller') {
            const c = readController(file);
            if (c.pd) pdGainsForSkeleton(readCharacter(characterFile), c.pd, file);
            return;
          }
          const skeleton = readCharacter(file);
          const clip = readDeepMimicMotion(join(dir, 'walk.txt'), skeleton, quiet);
          new Kinematics(clip).atFrame(0).bodies();
        },
      };
    };
  },
};

const scenario: FuzzFormat = {
  name: 'scenario-yaml',
  async setup() {
    const folder = join(repoRoot, 'scenarios');
    const seeds = readdirSync(folder).filter((f) => f.endsWith('.yaml')).sort().map((f) => readFileSync(join(folder, f)));
    const mutators = [...textMutators('['), yaml, yaml, yaml, (rng: Rng, b: Buffer): Mutation => {
      // YAML's own ways to blow up: aliases of aliases, and a block nested by indentation.
      const kind = rng.int(2);
      if (kind === 0) {
        let s = 'a0: &a0 [x, x, x, x, x, x, x, x, x]\n';
        for (let i = 1; i < 30; i++) s += `a${i}: &a${i} [*a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}]\n`;
        return { bytes: Buffer.concat([b, Buffer.from(s)]), what: 'alias bomb' };
      }
      const depth = pick(rng, [100, 1000, 5000]);
      let s = '';
      for (let i = 0; i < depth; i++) s += `${' '.repeat(i)}k${i}:\n`;
      return { bytes: Buffer.concat([b, Buffer.from(`config:\n${s.replace(/^/gm, ' ')}`)]), what: `${depth} nested mappings` };
    }];
    return (rng, dir) => {
      const m = mutate(rng, pick(rng, seeds), mutators);
      const file = join(dir, 'scenario.yaml');
      writeFileSync(file, m.bytes);
      return {
        what: m.what,
        run() {
          loadScenarioFile(file);
          readYamlMapping(file, 'hyperparameters');
        },
      };
    };
  },
};

/**
 * A run folder: the committed fixture (test/fuzz/fixtures/run-ppo-cartpole, see its README) with
 * one of its files mutated and, most of the time, the checkpoint's index re-hashed so the damage
 * reaches the reader of that file instead of stopping at the hash check.
 */
const runFolder: FuzzFormat = {
  name: 'run-folder',
  async setup() {
    const fixture = join(here, 'fixtures', 'run-ppo-cartpole');
    const { initBackend } = await import('../../src/nn/backend.ts');
    await initBackend('cpu');
    const { loadRunAgent } = await import('../../src/train/evaluate.ts');
    const checkpoint = 'checkpoints/step-000000256';
    const files = ['config.json', 'checkpoints/latest.json', ...readdirSync(join(fixture, checkpoint)).map((f) => `${checkpoint}/${f}`)];
    return (rng, dir) => {
      const run = join(dir, 'run');
      cpSync(fixture, run, { recursive: true });
      const target = pick(rng, files);
      const path = join(run, target);
      const isJson = target.endsWith('.json');
      const m = mutate(rng, readFileSync(path), isJson ? [...textMutators('['), json, json, json] : textMutators('['));
      writeFileSync(path, m.bytes);
      const rehash = target.startsWith(checkpoint) && !target.endsWith('index.json') && rng.random() < 0.7;
      if (rehash) {
        const indexFile = join(run, checkpoint, 'index.json');
        const index = JSON.parse(readFileSync(indexFile, 'utf8'));
        const name = target.slice(checkpoint.length + 1);
        index.files[name] = { bytes: m.bytes.length, sha256: createHash('sha256').update(m.bytes).digest('hex') };
        writeFileSync(indexFile, JSON.stringify(index));
      }
      return {
        what: `${target}: ${m.what}${rehash ? ' (re-hashed)' : ''}`,
        async run() {
          const r = await loadRunAgent(run, { backend: 'cpu' });
          r.close();
        },
      };
    };
  },
};

/**
 * The viewer's client → server messages, fed to a hub in-process as its WebSocket handler would
 * (a fake socket records the replies). Every reply must itself be a valid protocol message and an
 * error's text one line; `receive` must never throw.
 */
const websocket: FuzzFormat = {
  name: 'websocket',
  async setup() {
    const { ViewerHub } = await import('../../src/viewer/server/hub.ts');
    const { parseServerMessage } = await import('../../src/viewer/protocol.ts');
    const { GymnastError } = await import('../../src/core/errors.ts');
    let clock = 0;
    const hub = new ViewerHub({}, () => {}, () => clock);
    const scene = { bodies: [{ name: 'box', shape: 'box' as const, size: [0.5, 0.5, 0.5], color: '#808080' }] };
    hub.channel({ id: 'run:a', kind: 'run', scene });
    hub.channel({ id: 'rollout:b', kind: 'rollout', scene, control: () => {} });
    const seeds = [
      { type: 'hello', protocol: 1 },
      { type: 'subscribe', channels: null },
      { type: 'subscribe', channels: ['run:a', 'rollout:b'] },
      { type: 'control', channel: 'rollout:b', action: 'pause' },
      { type: 'control', channel: 'rollout:b', action: 'speed', speed: 2 },
      { type: 'control', channel: 'run:a', action: 'step' },
    ].map((m) => Buffer.from(JSON.stringify(m)));
    const mutators = [...textMutators('['), json, json, json];
    return (rng) => {
      const m = mutate(rng, pick(rng, seeds), mutators);
      const binary = rng.random() < 0.05;
      const asBuffer = rng.random() < 0.5;
      return {
        what: `${m.what}${binary ? ' (binary)' : ''}`,
        run() {
          const sent: (string | Uint8Array)[] = [];
          const sink = { readyState: 1, bufferedAmount: 0, send: (d: string | Uint8Array) => void sent.push(d), close() {}, terminate() {} };
          const client = hub.addClient(sink);
          sent.length = 0;
          clock += 1000; // a fresh second: the rate limit is not what is tested here
          try {
            hub.receive(client, asBuffer ? m.bytes : m.bytes.toString('utf8'), binary);
          } finally {
            client.disconnect('closed');
          }
          for (const reply of sent) {
            if (typeof reply !== 'string') continue;
            const msg = parseServerMessage(reply);
            if (msg.type === 'error') {
              if (msg.message.includes('\n')) throw new Error(`error reply of two lines or more: ${msg.message.slice(0, 200)}`);
              throw new GymnastError(`viewer replied ${msg.code}: ${msg.message}`);
            }
          }
        },
      };
    };
  },
};

export const FORMATS: readonly FuzzFormat[] = [bvh, motionFormat(), character, scenario, runFolder, websocket];

/**
 * Not a format: case i ends the (i mod 6)-th way a case can end (clean, clear error, TypeError,
 * left a .tmp file, loops forever, runs out of memory), so engine.test.ts can check that the
 * engine tells each apart. Not in FORMATS, so `npm run fuzz` never runs it.
 */
const selfCheck: FuzzFormat = {
  name: 'self-check',
  async setup() {
    const { UsageError } = await import('../../src/core/errors.ts');
    return (_rng, dir, index) => {
      const kind = index % 6;
      return {
        what: ['clean', 'clear', 'TypeError', 'partial', 'hang', 'memory'][kind]!,
        run() {
          if (kind === 1) throw new UsageError('a clear one-line error');
          if (kind === 2) return (null as unknown as { x: number }).x;
          if (kind === 3) writeFileSync(join(dir, 'out.bvh.tmp'), 'half');
          if (kind === 4) for (;;);
          if (kind === 5) {
            const hold: number[][] = [];
            for (;;) hold.push(new Array(1e7).fill(kind));
          }
          return undefined;
        },
      };
    };
  },
};

export function formatNamed(name: string): FuzzFormat {
  const f = [...FORMATS, selfCheck].find((x) => x.name === name);
  if (!f) throw new Error(`unknown fuzz format '${name}' (known: ${FORMATS.map((x) => x.name).join(', ')})`);
  return f;
}

/** Makes the folder a case writes into. */
export function caseDir(root: string, index: number): string {
  const dir = join(root, `case-${index}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}
