/**
 * Progress of a training run on the terminal: a cli-progress bar on a TTY, plain lines every
 * `intervalSeconds` otherwise (logs, CI). Fed by the run's callbacks.
 */
import cliProgress from 'cli-progress';
import type { EpisodeReport } from '../agents/agent.ts';

export class TrainProgress {
  private bar: cliProgress.SingleBar | null = null;
  private lastLine = 0;
  private recentReturns: number[] = [];
  private sps = 0;
  private step = 0;

  constructor(
    private readonly totalSteps: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly intervalSeconds = 10,
  ) {}

  start(fromStep: number): void {
    this.step = fromStep;
    this.lastLine = performance.now();
    if (this.stream.isTTY) {
      this.bar = new cliProgress.SingleBar(
        { format: 'train |{bar}| {value}/{total} steps | {sps} SPS | return {ret}', stream: this.stream, hideCursor: true, etaBuffer: 50 },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(this.totalSteps, fromStep, { sps: '-', ret: '-' });
    }
  }

  episode(e: EpisodeReport): void {
    this.recentReturns.push(e.return);
    if (this.recentReturns.length > 20) this.recentReturns.shift();
  }

  metrics(step: number, values: Record<string, number>): void {
    this.step = step;
    if (values['charts/SPS'] !== undefined) this.sps = values['charts/SPS'];
    const ret = this.meanReturn();
    if (this.bar) {
      this.bar.update(Math.min(step, this.totalSteps), { sps: this.sps, ret });
    } else if ((performance.now() - this.lastLine) / 1000 >= this.intervalSeconds) {
      this.lastLine = performance.now();
      this.stream.write(`step ${step}/${this.totalSteps}  SPS ${this.sps}  mean return (last 20 episodes) ${ret}\n`);
    }
  }

  /** A line that must not be mangled by the bar. */
  log(line: string): void {
    if (this.bar) this.bar.stop();
    this.stream.write(line + '\n');
    if (this.bar) this.bar.start(this.totalSteps, Math.min(this.step, this.totalSteps), { sps: this.sps, ret: this.meanReturn() });
  }

  stop(): void {
    this.bar?.update(Math.min(this.step, this.totalSteps));
    this.bar?.stop();
    this.bar = null;
  }

  private meanReturn(): string {
    if (this.recentReturns.length === 0) return '-';
    return (this.recentReturns.reduce((a, b) => a + b, 0) / this.recentReturns.length).toFixed(1);
  }
}
