import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetricsLog, readMetrics } from '../../src/train/metrics.ts';

test('JSON lines with CleanRL tags; non-finite values become null; truncateAfter drops later lines and a cut line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gymnast-metrics-'));
  const file = join(dir, 'metrics.jsonl');
  const log = new MetricsLog(file);
  log.write(100, 1.23456, { 'charts/episodic_return': 20 });
  log.write(200, 2, { 'losses/explained_variance': NaN });
  log.write(300, 3, { 'charts/SPS': 1000 });
  appendFileSync(file, '{"step": 40');
  log.truncateAfter(200);
  assert.equal(readMetrics(file), [
    { step: 100, time: 1.235, 'charts/episodic_return': 20 },
    { step: 200, time: 2, 'losses/explained_variance': null as unknown as number },
  ]);
  rmSync(dir, { recursive: true });
});

test.run();
