/**
 * `gymnast view --run DIR`: follows a run folder written by `gymnast train`, during or after
 * training (a run in another terminal can be watched): its metrics.jsonl as it grows, and each
 * new checkpoint loaded into the player.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { latestCheckpoint } from '../nn/checkpoint.ts';
import type { RunConfig } from '../train/run-config.ts';
import type { ViewerHub } from '../viewer/server/index.ts';
import { RunDisplay } from './run-display.ts';

/** Polls the run folder once a second until closed. */
export function followRunFolder(hub: ViewerHub, runDir: string, config: RunConfig): { close(): void } {
  const display = new RunDisplay(hub, config.env, config.agent, { run: runDir, seed: config.seed }, config.envOptions);
  display.runDir = runDir;
  const metricsFile = join(runDir, 'metrics.jsonl');
  let offset = 0;
  let partial = '';
  let lastCheckpoint: string | null = null;
  const poll = () => {
    if (existsSync(metricsFile)) {
      const fd = openSync(metricsFile, 'r');
      try {
        const size = fstatSync(fd).size;
        if (size < offset) offset = 0; // truncated by a resume: read again
        if (size > offset) {
          const buf = Buffer.alloc(size - offset);
          readSync(fd, buf, 0, buf.length, offset);
          offset = size;
          const lines = (partial + buf.toString('utf8')).split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) {
            if (!line.trim()) continue;
            try {
              const { step, time: _time, ...values } = JSON.parse(line) as Record<string, number>;
              if (typeof step === 'number') display.metrics(step, values);
            } catch {
              // a line being written: skipped, the file is append-only
            }
          }
        }
      } finally {
        closeSync(fd);
      }
    }
    const latest = latestCheckpoint(join(runDir, 'checkpoints'));
    if (latest && latest !== lastCheckpoint) {
      lastCheckpoint = latest;
      const step = Number(/step-0*(\d+)/.exec(latest)?.[1] ?? NaN);
      display.checkpoint(latest, step);
    }
  };
  poll();
  const timer = setInterval(poll, 1000);
  return { close: () => (clearInterval(timer), display.close()) };
}
