/**
 * `gymnast view --run DIR`: follows a run folder written by `gymnast train`, during or after
 * training (a run in another terminal can be watched): its metrics.jsonl as it grows, and each
 * new checkpoint loaded into the player.
 *
 * The folder is read while another process writes it, and may be damaged or replaced: a
 * `latest.json` that is missing, `null`, half-written or points nowhere, a checkpoint that does
 * not load. None of it stops the viewer: the problem is said once on stderr and shown in the page
 * (the run channel's `status`), and the next poll tries again.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { FileFormatError } from '../core/errors.ts';
import { latestCheckpoint } from '../nn/checkpoint.ts';
import type { RunConfig } from '../train/run-config.ts';
import type { ViewerHub } from '../viewer/server/index.ts';
import { RunDisplay } from './run-display.ts';

/** Polls the run folder once a second until closed. */
export function followRunFolder(hub: ViewerHub, runDir: string, config: RunConfig, log?: (line: string) => void): { close(): void } {
  const display = new RunDisplay(hub, config.env, config.agent, { run: runDir, seed: config.seed }, config.envOptions, log);
  display.runDir = runDir;
  const metricsFile = join(runDir, 'metrics.jsonl');
  let offset = 0;
  let partial = '';
  let lastCheckpoint: string | null = null;
  const readMetrics = () => {
    if (!existsSync(metricsFile)) return;
    const fd = openSync(metricsFile, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size < offset) offset = 0; // truncated by a resume: read again
      if (size <= offset) return;
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
    } finally {
      closeSync(fd);
    }
  };
  const readLatest = () => {
    const latest = latestCheckpoint(join(runDir, 'checkpoints'));
    if (!latest || latest === lastCheckpoint) return;
    lastCheckpoint = latest;
    const step = Number(/step-0*(\d+)/.exec(latest)?.[1] ?? NaN);
    // A checkpoint that does not load is tried again at the next poll (it may be rewritten).
    void display.checkpoint(latest, step).then((ok) => {
      if (!ok && lastCheckpoint === latest) lastCheckpoint = null;
    });
  };
  const poll = () => {
    for (const [source, read] of [['metrics.jsonl', readMetrics], ['checkpoints/latest.json', readLatest]] as const) {
      try {
        read();
        display.problem(source, null);
      } catch (e) {
        // A FileFormatError names its file; anything else is said with the file it came from.
        display.problem(source, e instanceof FileFormatError ? e.message : `${join(runDir, source)}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  };
  poll();
  const timer = setInterval(poll, 1000);
  return { close: () => (clearInterval(timer), display.close()) };
}
