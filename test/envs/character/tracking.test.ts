import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadCharacter, loadCharacterClip } from '../../../src/envs/character/assets.ts';
import { rootFree, rootHeld, virtualForce, DEFAULT_VIRTUAL_GAINS } from '../../../src/envs/character/tracking.ts';

const human = loadCharacter('humanoid3d');
const walk = loadCharacterClip('walk', human.skeleton);
const options = {
  physicsHz: 600, seconds: 2, trials: 1, seed: 0, pdMode: 'motors' as const, jointKind: 'impulse' as const,
  velocityTarget: true, fallRule: 'nonFoot' as const, virtualGains: DEFAULT_VIRTUAL_GAINS,
};
const deg = (r: number) => (r * 180) / Math.PI;

test('root held on walk: the joints track the reference (mean < 3°, every joint < 5° on average)', () => {
  // Bound from the measurement in docs/results/humanoid.md, "The tracking test" (walk, 600 Hz, default solver: about 1.6° mean, worst
  // joint about 3°), with headroom; a broken joint mapping or lagging PD gives 8° and more.
  const r = rootHeld(human, walk, options);
  assert.is(r.joints.length, 12);
  assert.ok(deg(r.meanErrorRad) < 3, `mean ${deg(r.meanErrorRad).toFixed(2)}°`);
  for (const j of r.joints) assert.ok(deg(j.meanErrorRad) < 5, `${j.joint}: ${deg(j.meanErrorRad).toFixed(2)}°`);
});

test('damping toward zero velocity (DeepMimic PD) lags: the reference velocity target tracks better', () => {
  const lagging = rootHeld(human, walk, { ...options, velocityTarget: false });
  const tracking = rootHeld(human, walk, { ...options, velocityTarget: true });
  assert.ok(lagging.meanErrorRad > 2 * tracking.meanErrorRad, `${deg(lagging.meanErrorRad)} vs ${deg(tracking.meanErrorRad)}`);
});

test('root free: PD tracking alone falls within the run; the virtual root force keeps it up', () => {
  const free = rootFree(human, walk, { ...options, seconds: 3 });
  assert.is(free.trials.length, 1);
  assert.ok(free.trials[0]!.fell, 'PD tracking without a policy does not balance');
  assert.ok(free.meanSecondsUp > 0.2 && free.meanSecondsUp < 3);
  const held = virtualForce(human, walk, { ...options, seconds: 1 });
  assert.not.ok(held.fell);
  assert.ok(held.meanForceN > 0 && held.maxForceN >= held.meanForceN);
});

test.run();
