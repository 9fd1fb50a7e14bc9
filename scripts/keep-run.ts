/**
 * Makes a stopped, unfinished training run small enough to commit, so it continues on another
 * machine with `gymnast train --resume DIR` (machines change between sessions; only git stays):
 *
 * - `checkpoints/`: only the latest checkpoint is kept (what `--resume` reads), plus `best/` (a
 *   resumed run keeps comparing its evaluations with it);
 * - `metrics.jsonl`: the lines up to the latest checkpoint's step, averaged per bin of steps
 *   (a tenth of the run's checkpoint interval, so a checkpoint always ends a bin), per-episode
 *   lines and per-update lines apart; evaluation lines (`eval/…`) are kept as they are; lines
 *   after the checkpoint are dropped (the resumed run redoes those steps). A bin's line carries
 *   the bin's last step and time. Running it again on the same run changes nothing.
 *
 * An imitation run logs one line per episode: 20 M humanoid samples make tens of MB, binned a few
 * hundred kB. The run's lock is taken while this runs, so a run still training is refused.
 *
 *   node --import tsx scripts/keep-run.ts training/humanoid-walk
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { writeFileAtomic } from '../src/core/atomic-write.ts';
import { latestCheckpoint, listCheckpoints } from '../src/nn/checkpoint.ts';
import { lockRunFolder } from '../src/nn/run-folder.ts';
import { readRunConfig } from '../src/train/run-config.ts';

type Line = Record<string, number | null>;

/** The lines binned per `bin` steps up to `lastStep` (see the header); eval lines as they are. */
export function binMetrics(lines: readonly Line[], bin: number, lastStep: number): Line[] {
  const kept: Line[] = [];
  const groups = new Map<string, Line[]>();
  for (const line of lines) {
    const step = line.step;
    if (typeof step !== 'number' || step > lastStep) continue;
    if (Object.keys(line).some((k) => k.startsWith('eval/'))) {
      kept.push(line);
      continue;
    }
    const kind = 'charts/episodic_return' in line ? 'episode' : 'update';
    const key = `${Math.ceil(step / bin)}/${kind}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(line);
  }
  for (const [key, group] of groups) {
    const k = Number(key.split('/')[0]);
    const out: Line = { step: Math.min(k * bin, lastStep), time: group.at(-1)!.time ?? null };
    const names = new Set(group.flatMap((l) => Object.keys(l)).filter((n) => n !== 'step' && n !== 'time'));
    for (const name of names) {
      const values = group.map((l) => l[name]).filter((v): v is number => typeof v === 'number');
      out[name] = values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : null;
    }
    kept.push(out);
  }
  // In step order; at one step, per-episode before per-update before eval lines, as the trainer writes them.
  const rank = (l: Line) => (Object.keys(l).some((k) => k.startsWith('eval/')) ? 2 : 'charts/episodic_return' in l ? 0 : 1);
  return kept.sort((a, b) => a.step! - b.step! || rank(a) - rank(b));
}

function main(args: string[]): void {
  const runDir = args[0];
  if (!runDir || args.length !== 1) throw new Error('usage: node --import tsx scripts/keep-run.ts RUN_DIR');
  const config = readRunConfig(runDir);
  const lock = lockRunFolder(runDir);
  try {
    const checkpoints = join(runDir, 'checkpoints');
    const latest = latestCheckpoint(checkpoints);
    if (!latest) throw new Error(`${runDir}: no checkpoint yet, nothing a resume could start from`);
    const step = Number(JSON.parse(readFileSync(join(latest, 'state.json'), 'utf8')).step);
    for (const name of listCheckpoints(checkpoints)) if (name !== basename(latest)) rmSync(join(checkpoints, name), { recursive: true, force: true });
    const bin = Math.max(1, Math.round(config.checkpointEvery / 10));
    const file = join(runDir, 'metrics.jsonl');
    if (existsSync(file)) {
      const text = readFileSync(file, 'utf8');
      const lines = text.split('\n').filter((l) => l.trim()).flatMap((l) => {
        try {
          return [JSON.parse(l) as Line];
        } catch {
          return []; // a line cut short when the run was killed
        }
      });
      const binned = binMetrics(lines, bin, step);
      const out = binned.map((l) => JSON.stringify(l) + '\n').join('');
      writeFileAtomic(file, out);
      console.log(`${file}: ${lines.length} lines (${(text.length / 1e6).toFixed(1)} MB) → ${binned.length} (${(out.length / 1e6).toFixed(2)} MB), bins of ${bin} steps up to step ${step}`);
    }
    console.log(`${runDir}: kept ${basename(latest)}${existsSync(join(runDir, 'best')) ? ' and best/' : ''}; continue with: npx gymnast train --resume ${runDir}`);
  } finally {
    lock.release();
  }
}

if (process.argv[1] && import.meta.url.endsWith(basename(process.argv[1]))) main(process.argv.slice(2));
