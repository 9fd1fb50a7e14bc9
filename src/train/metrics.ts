/**
 * The metrics log of a run: `metrics.jsonl`, one JSON object per line,
 * `{ "step": 12800, "time": 3.2, "charts/episodic_return": 21, … }` with CleanRL's tags, so curves
 * from both compare. Lines are appended as they come; on resume the lines after the checkpoint's
 * step are dropped (they belong to the part of the run that is being redone).
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../core/atomic-write.ts';

export class MetricsLog {
  constructor(readonly file: string) {}

  write(step: number, timeSeconds: number, values: Record<string, number>): void {
    const rec: Record<string, number | null> = { step, time: Math.round(timeSeconds * 1000) / 1000 };
    for (const [k, v] of Object.entries(values)) rec[k] = Number.isFinite(v) ? v : null;
    appendFileSync(this.file, JSON.stringify(rec) + '\n');
  }

  /** Keeps only records with step ≤ `step` (atomically rewritten). */
  truncateAfter(step: number): void {
    if (!existsSync(this.file)) return;
    const kept = readFileSync(this.file, 'utf8')
      .split('\n')
      .filter((line) => {
        if (!line.trim()) return false;
        try {
          return (JSON.parse(line) as { step: number }).step <= step;
        } catch {
          return false; // a line cut short by a kill
        }
      });
    writeFileAtomic(this.file, kept.map((l) => l + '\n').join(''));
  }
}

/** `values` with every key prefixed (`charts/`, `eval/`); none: an empty record. */
export function prefixed(prefix: string, values: Record<string, number> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (values) for (const [k, v] of Object.entries(values)) out[prefix + k] = v;
  return out;
}

/** Reads a metrics file into records (for tests, plots and benchmarks). */
export function readMetrics(file: string): Record<string, number>[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, number>);
}
