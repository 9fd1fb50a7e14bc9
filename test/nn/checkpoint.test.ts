import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileFormatError } from '../../src/core/errors.ts';
import { Rng } from '../../src/core/rng.ts';
import { initBackend } from '../../src/nn/backend.ts';
import { Mlp } from '../../src/nn/mlp.ts';
import { Adam } from '../../src/nn/optim.ts';
import { latestCheckpoint, readCheckpoint, restoreFrom, restoreWeights, weightsOf, writeCheckpoint, type CheckpointData } from '../../src/nn/checkpoint.ts';
import { createHash } from 'node:crypto';

await initBackend('wasm');

const tmp = mkdtempSync(join(tmpdir(), 'gymnast-ckpt-'));
const rng = new Rng(3);
const net = new Mlp('pi', { sizes: [4, 8, 2], activation: 'tanh' }, rng);
const adam = new Adam(net.params, { lr: 1e-3 });
adam.step(net.params.map((p) => new Float32Array(p.variable.size).fill(0.5)));

function data(step: number): CheckpointData {
  return {
    weights: weightsOf(net.params),
    optimizers: { optimizer: adam.getState() },
    arrays: [{ name: 'replay/obs', shape: [3, 2], data: Float32Array.from([1, 2, 3, 4, 5, step]) }, { name: 'replay/actions', shape: [3], data: Int32Array.from([0, 1, step]) }],
    state: { rng: rng.getState(), counters: { globalStep: step } },
  };
}

test('round trip: weights in tfjs model.json + weights.bin layout, optimizer, arrays, state', () => {
  const dir = join(tmp, 'a');
  const path = writeCheckpoint(dir, 'step-000000100', 100, data(100));
  const model = JSON.parse(readFileSync(join(path, 'model.json'), 'utf8'));
  assert.equal(model.weightsManifest[0].paths, ['weights.bin']);
  assert.equal(model.weightsManifest[0].weights[0], { name: 'pi/dense_0/kernel', shape: [4, 8], dtype: 'float32' });
  assert.is(readFileSync(join(path, 'weights.bin')).byteLength, (4 * 8 + 8 + 8 * 2 + 2) * 4);
  assert.is(latestCheckpoint(dir), path);

  const back = readCheckpoint(path);
  assert.is(back.step, 100);
  const other = new Mlp('pi', { sizes: [4, 8, 2], activation: 'tanh' }, new Rng(99));
  restoreWeights(other.params, back.weights, path);
  assert.equal(Array.from(other.params[0]!.variable.dataSync()), Array.from(net.params[0]!.variable.dataSync()));
  const adam2 = new Adam(other.params, { lr: 1 });
  adam2.setState(back.optimizers.optimizer!);
  assert.equal(adam2.getState().step, 1);
  assert.equal(Array.from(adam2.getState().slots['pi/dense_0/kernel/m']!), Array.from(adam.getState().slots['pi/dense_0/kernel/m']!));
  assert.equal(Array.from(back.arrays[1]!.data), [0, 1, 100]);
  assert.instance(back.arrays[1]!.data, Int32Array);
  assert.equal(back.state.rng, rng.getState());
  other.dispose();
});

test('a newer checkpoint never touches the last good one; older ones are pruned to `keep`', () => {
  const dir = join(tmp, 'b');
  writeCheckpoint(dir, 'step-000000100', 100, data(100));
  // A run killed while writing leaves a .tmp folder: it is not a checkpoint.
  mkdirSync(join(dir, 'step-000000200.tmp'));
  writeFileSync(join(dir, 'step-000000200.tmp', 'weights.bin'), 'partial');
  assert.match(latestCheckpoint(dir)!, /step-000000100$/);
  writeCheckpoint(dir, 'step-000000200', 200, data(200));
  writeCheckpoint(dir, 'step-000000300', 300, data(300));
  assert.equal(readdirSync(dir).sort(), ['latest.json', 'step-000000200', 'step-000000300']);
  assert.is(readCheckpoint(latestCheckpoint(dir)!).step, 300);
});

test('a truncated file is a clear error', () => {
  const dir = join(tmp, 'c');
  const path = writeCheckpoint(dir, 'step-000000100', 100, data(100));
  truncateSync(join(path, 'weights.bin'), 40);
  try {
    readCheckpoint(path);
    assert.unreachable();
  } catch (err) {
    assert.instance(err, FileFormatError);
    assert.match((err as Error).message, /weights\.bin: size: 40 bytes, expected 232: the file is truncated/);
  }
});

test('a corrupt file is a clear error; so is a missing index', () => {
  const dir = join(tmp, 'd');
  const path = writeCheckpoint(dir, 'step-000000100', 100, data(100));
  const bytes = readFileSync(join(path, 'optimizer.bin'));
  bytes[10]! ^= 0xff;
  writeFileSync(join(path, 'optimizer.bin'), bytes);
  assert.throws(() => readCheckpoint(path), /optimizer\.bin: SHA-256: does not match index\.json: the file is corrupt/);
  rmSync(join(path, 'index.json'));
  assert.throws(() => readCheckpoint(path), /index\.json: file: missing: the checkpoint was not completely written/);
  writeFileSync(join(dir, 'latest.json'), '{"name": "step-0000009');
  assert.throws(() => latestCheckpoint(dir), /latest\.json: JSON: cannot be parsed/);
});

test('index.json cannot point outside the checkpoint, nor make gymnast read a file it does not describe', () => {
  const dir = join(tmp, 'hostile');
  const path = writeCheckpoint(dir, 'step-000000100', 100, data(100));
  const indexFile = join(path, 'index.json');
  const good = JSON.parse(readFileSync(indexFile, 'utf8'));
  const withFiles = (files: unknown) => writeFileSync(indexFile, JSON.stringify({ ...good, files }));
  const fails = (message: RegExp) => assert.throws(() => readCheckpoint(path), (e: unknown) => e instanceof FileFormatError && message.test((e as Error).message));
  // A path instead of a file name: refused before anything is opened (it used to read /dev/zero until memory ran out).
  withFiles({ ...good.files, '../../../../dev/zero': { bytes: 1, sha256: '0'.repeat(64) } });
  fails(/index\.json: files: "\.\.\/\.\.\/\.\.\/\.\.\/dev\/zero" is not the name of a file in the checkpoint folder/);
  withFiles({ ...good.files, '/etc/passwd': { bytes: 1, sha256: '0'.repeat(64) } });
  fails(/is not the name of a file in the checkpoint folder/);
  // Not a regular file (a device, a folder, a link): refused before reading.
  mkdirSync(join(path, 'folder'));
  withFiles({ ...good.files, folder: { bytes: 4096, sha256: '0'.repeat(64) } });
  fails(/folder: file: not a regular file/);
  // Wrong types anywhere: one error naming the field, not a stack.
  withFiles({ ...good.files, 'weights.bin': null });
  fails(/index\.json: files\.weights\.bin: expected \{ bytes: a size, sha256: 64 hex digits \}/);
  withFiles(null);
  fails(/index\.json: files: missing/);
  writeFileSync(indexFile, 'null');
  fails(/index\.json: \(root\): expected a JSON object/);
  writeFileSync(indexFile, JSON.stringify({ ...good, step: -5 }));
  fails(/index\.json: step: expected a step count, got -5/);
  writeFileSync(indexFile, JSON.stringify(good));
  assert.is(readCheckpoint(path).step, 100);
});

test('weights of the wrong shape name the parameter', () => {
  const dir = join(tmp, 'e');
  const back = readCheckpoint(writeCheckpoint(dir, 'step-000000001', 1, data(1)));
  const wide = new Mlp('pi', { sizes: [4, 16, 2], activation: 'tanh' }, new Rng(1));
  assert.throws(() => restoreWeights(wide.params, back.weights, 'ckpt'), /ckpt: pi\/dense_0\/kernel: has shape \[4, 8\], this network needs \[4, 16\]/);
  wide.dispose();
});

test('damage behind a matching hash (found by test/fuzz/run-folder.test.ts): manifests checked, JSON errors on one line, a restore that fails names the checkpoint', () => {
  const dir = join(tmp, 'rehashed');
  const path = writeCheckpoint(dir, 'step-000000100', 100, data(100));
  const indexFile = join(path, 'index.json');
  const index = JSON.parse(readFileSync(indexFile, 'utf8'));
  // Writes a file and records its new size and hash, as someone editing a run folder would.
  const rewrite = (file: string, text: string) => {
    writeFileSync(join(path, file), text);
    index.files[file] = { bytes: Buffer.byteLength(text), sha256: createHash('sha256').update(text).digest('hex') };
    writeFileSync(indexFile, JSON.stringify(index));
  };
  const fails = (message: RegExp) => assert.throws(() => readCheckpoint(path), (e: unknown) => e instanceof FileFormatError && message.test((e as Error).message) && !(e as Error).message.includes('\n'));
  const model = JSON.parse(readFileSync(join(path, 'model.json'), 'utf8'));
  delete model.weightsManifest[0].weights[1].shape;
  rewrite('model.json', JSON.stringify(model, null, 1));
  fails(/model\.json: weightsManifest\.0\.weights\.1\.shape: /); // it was a TypeError reading shape.reduce
  // V8's message quotes the lines around the error; the report keeps one line.
  rewrite('model.json', '{\n "a": 1,\n .\n}');
  fails(/model\.json: JSON: cannot be parsed: /);
  // An RNG state of the wrong shape threw a RangeError from inside an agent's restore.
  assert.throws(() => restoreFrom('ckpt', () => new Rng(0).setState({ s: [1, 2] } as never)), (e: unknown) => e instanceof FileFormatError && /^ckpt: state: does not fit this run: RNG state must be/.test((e as Error).message));
  // A GymnastError from the restore is already clear and passes unchanged.
  const clear = new FileFormatError('w', 'pi', 'missing');
  assert.throws(() => restoreFrom('ckpt', () => { throw clear; }), (e: unknown) => e === clear);
});

test('non-finite numbers behind a matching hash are refused, naming file and tensor: NaN weights, infinite optimizer moments, null or 1e999 normalizer statistics', () => {
  const dir = join(tmp, 'non-finite');
  const cases: [file: string, damage: (bytes: Buffer) => Buffer, message: RegExp][] = [
    // float32 NaN (0x7fc00000, little-endian) over the first number of weights.bin: pi's first layer's kernel, entry 0.
    ['weights.bin', (b) => (b.writeUInt32LE(0x7fc00000, 0), b), /weights\.bin: pi\/dense_0\/kernel\[0\]: NaN: a checkpoint holds finite numbers only/],
    // +Infinity (0x7f800000) as the 3rd number of the optimizer's first slot.
    ['optimizer.bin', (b) => (b.writeUInt32LE(0x7f800000, 8), b), /optimizer\.bin: optimizer\/\S+\[2\]: Infinity: /],
    ['state.json', (b) => Buffer.from(JSON.stringify({ ...JSON.parse(b.toString()), obsRms: { mean: [0.5, null], var: [1, 1], count: 10 } })), /state\.json: obsRms\.mean\[1\]: null in a list of numbers: a NaN or infinity was written there/],
    ['state.json', (b) => Buffer.from(b.toString().replace(/"globalStep": \d+/, '"globalStep": 1e999')), /state\.json: counters\.globalStep: Infinity: expected a finite number/],
  ];
  for (const [file, damage, message] of cases) {
    const path = writeCheckpoint(dir, 'step-000000100', 100, data(100));
    const bytes = damage(readFileSync(join(path, file)));
    writeFileSync(join(path, file), bytes);
    const indexFile = join(path, 'index.json');
    const index = JSON.parse(readFileSync(indexFile, 'utf8'));
    index.files[file] = { bytes: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') };
    writeFileSync(indexFile, JSON.stringify(index));
    assert.throws(() => readCheckpoint(path), (e: unknown) => e instanceof FileFormatError && message.test((e as Error).message), `${file}: ${message}`);
  }
  // The same checkpoint undamaged reads (the rule rejects only what is not finite).
  assert.is(readCheckpoint(writeCheckpoint(dir, 'step-000000100', 100, data(100))).step, 100);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
