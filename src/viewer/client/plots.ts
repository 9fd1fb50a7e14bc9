/**
 * Live training curves with uPlot: one small chart per metric tag (`charts/episodic_return`,
 * `charts/SPS`, `losses/value_loss`…) of one channel, x = environment steps. Points are kept per
 * channel and thinned by half past MAX_POINTS, so a long run stays light; charts are redrawn a few
 * times a second at most.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { MetricPoint } from '../protocol.ts';

const MAX_POINTS = 4000;
const REDRAW_MS = 250;
const CHART_HEIGHT = 120;

interface Series {
  xs: number[];
  ys: number[];
}

/** Sort order: returns first, then other charts, then losses, then the rest. */
function rank(key: string): number {
  if (key === 'charts/episodic_return') return 0;
  if (key.startsWith('charts/')) return 1;
  if (key.startsWith('losses/')) return 2;
  return 3;
}

export class Plots {
  private readonly data = new Map<string, Map<string, Series>>();
  private readonly charts = new Map<string, uPlot>();
  private shown: string | null = null;
  private dirty = false;
  private lastDrawMs = 0;

  constructor(private readonly container: HTMLElement) {}

  add(channel: string, points: readonly MetricPoint[]): void {
    let byKey = this.data.get(channel);
    if (!byKey) this.data.set(channel, (byKey = new Map()));
    for (const p of points) {
      for (const [key, value] of Object.entries(p.values)) {
        let s = byKey.get(key);
        if (!s) byKey.set(key, (s = { xs: [], ys: [] }));
        const last = s.xs.length - 1;
        if (last >= 0 && p.step < s.xs[last]!) {
          // Out of order (several envs report episodes): insert in place, uPlot wants sorted x.
          let i = last;
          while (i >= 0 && s.xs[i]! > p.step) i--;
          s.xs.splice(i + 1, 0, p.step);
          s.ys.splice(i + 1, 0, value);
        } else {
          s.xs.push(p.step);
          s.ys.push(value);
        }
        if (s.xs.length > MAX_POINTS) {
          s.xs = s.xs.filter((_, i) => i % 2 === 1);
          s.ys = s.ys.filter((_, i) => i % 2 === 1);
        }
      }
    }
    if (channel === this.shown) this.dirty = true;
  }

  hasMetrics(channel: string): boolean {
    return (this.data.get(channel)?.size ?? 0) > 0;
  }

  channelsWithMetrics(): string[] {
    return [...this.data.keys()].filter((c) => this.hasMetrics(c));
  }

  forget(channel: string): void {
    this.data.delete(channel);
    if (channel === this.shown) this.show(null);
  }

  /** Which channel's curves to draw. */
  show(channel: string | null): void {
    if (channel === this.shown) return;
    this.shown = channel;
    for (const c of this.charts.values()) c.destroy();
    this.charts.clear();
    this.container.replaceChildren();
    this.dirty = true;
  }

  get shownChannel(): string | null {
    return this.shown;
  }

  /** Redraws if something changed and the last redraw is old enough; call every animation frame. */
  tick(nowMs: number): void {
    if (!this.dirty || nowMs - this.lastDrawMs < REDRAW_MS) return;
    this.dirty = false;
    this.lastDrawMs = nowMs;
    const byKey = this.shown === null ? undefined : this.data.get(this.shown);
    if (!byKey) return;
    const keys = [...byKey.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    const width = Math.max(200, this.container.clientWidth - 4);
    for (const key of keys) {
      const s = byKey.get(key)!;
      const data: uPlot.AlignedData = [s.xs, s.ys.map((y) => (Number.isFinite(y) ? y : null))];
      let chart = this.charts.get(key);
      if (!chart) {
        const el = document.createElement('div');
        el.className = 'plot';
        el.dataset.metric = key;
        this.container.appendChild(el);
        chart = new uPlot(
          {
            title: key,
            width,
            height: CHART_HEIGHT,
            legend: { show: false },
            cursor: { drag: { x: true, y: false } },
            scales: { x: { time: false } },
            axes: [{ size: 28, font: '10px sans-serif' }, { size: 46, font: '10px sans-serif' }],
            series: [{ label: 'step' }, { label: key, stroke: key === 'charts/episodic_return' ? '#d9480f' : '#1c7ed6', width: 1.5, spanGaps: true }],
          },
          data,
          el,
        );
        this.charts.set(key, chart);
      } else {
        chart.setData(data);
      }
    }
  }

  resize(): void {
    const width = Math.max(200, this.container.clientWidth - 4);
    for (const c of this.charts.values()) c.setSize({ width, height: CHART_HEIGHT });
  }

  /** Charts currently drawn (debug hook). */
  chartCount(): number {
    return this.charts.size;
  }
}
