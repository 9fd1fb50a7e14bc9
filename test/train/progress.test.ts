import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TrainProgress } from '../../src/train/progress.ts';

test('off a TTY: plain periodic lines with steps, SPS and the mean recent return', () => {
  const lines: string[] = [];
  const stream = { isTTY: false, write: (s: string) => (lines.push(s), true) } as unknown as NodeJS.WriteStream;
  const p = new TrainProgress(1000, stream, 0);
  p.start(0);
  p.episode({ step: 10, return: 10, length: 10, env: 0 });
  p.episode({ step: 20, return: 20, length: 20, env: 1 });
  p.metrics(500, { 'charts/SPS': 1234 });
  p.log('checkpoint at step 500');
  p.stop();
  assert.equal(lines, ['step 500/1000  SPS 1234  mean return (last 20 episodes) 15.0\n', 'checkpoint at step 500\n']);
});

test.run();
