/**
 * The page: keeps one record per channel (its description, playback buffer and counters), feeds
 * ticks from the connection into playback, draws every animation frame, and wires the panel
 * (pick a source, show/hide, pause, step, speed, follow, plots).
 *
 * Pause, step and speed go to the server for channels it drives (a rollout, a clip): every page
 * watching sees the same thing. A training run is not paused for a page: there the page freezes
 * its own view and the trainer carries on.
 */
import { decodeFrameHeader, decodeFrame, FRAME_DISCONTINUITY, type ChannelInfo, type ServerMessage } from '../protocol.ts';
import { Connection, type ConnectionFactory, type PageConnection } from './connection.ts';
import { Playback } from './playback.ts';
import { Plots } from './plots.ts';
import { World } from './world.ts';

interface ClientChannel {
  info: ChannelInfo;
  playback: Playback;
  pose: Float32Array;
  hasPose: boolean;
  framesReceived: number;
  lastFrameNumber: number;
  /** Frozen by this page (channels the server does not drive). */
  localPaused: boolean;
  /** Accept exactly one more tick while frozen. */
  stepOnce: boolean;
  visible: boolean;
  followBody: number;
  /** Ticks received in the last second, for the list. */
  rateWindow: number[];
}

const FOLLOW_NAMES = /^(root|pelvis|torso|base|chassis|cart|body|hips?)$/i;

export interface PageStats {
  connected: boolean;
  selected: string | null;
  channels: {
    id: string;
    kind: string;
    bodies: number;
    framesReceived: number;
    lastFrameNumber: number;
    drawnFrame: number;
    drawnTimeSeconds: number;
    paused: boolean;
    visible: boolean;
  }[];
  /** Body meshes in the 3D scene, visible channels only. */
  drawnBodies: number;
  /** Bodies described by the visible channels' scenes. */
  sceneBodies: number;
  renderedFrames: number;
  invalidMessages: number;
  errors: string[];
  charts: number;
}

export class App {
  private readonly channels = new Map<string, ClientChannel>();
  private readonly byIndex = new Map<number, ClientChannel>();
  private selected: string | null = null;
  /** Once the user picks a source, new channels no longer move the selection. */
  private userSelected = false;
  private readonly world: World;
  private readonly plots: Plots;
  private readonly connection: PageConnection;
  private renderedFrames = 0;
  private invalidMessages = 0;
  private readonly errors: string[] = [];
  private lastRenderMs = performance.now();
  private lastPanelMs = 0;
  private follow = true;
  private plotChoice: string | null = null;
  private toastTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * `connect` makes the link to the simulation: by default the WebSocket of the server that served
   * the page; the static site passes its Web Workers instead.
   */
  constructor(
    private readonly el: PageElements,
    connect: ConnectionFactory = (handlers) => new Connection(Connection.urlFor(window.location), handlers),
  ) {
    this.world = new World(el.view);
    this.plots = new Plots(el.plots);
    this.wirePanel();
    this.onResize();
    window.addEventListener('resize', () => this.onResize());
    this.connection = connect({
      onOpen: () => this.setStatus('open', 'live'),
      onClose: () => this.setStatus('closed', 'disconnected, retrying…'),
      onMessage: (m) => this.onMessage(m),
      onFrame: (d, t) => this.onFrame(d, t),
      onInvalid: (e) => this.onInvalid(e),
    });
    requestAnimationFrame((t) => this.loop(t));
  }

  stats(): PageStats {
    const visible = [...this.channels.values()].filter((c) => c.visible);
    return {
      connected: this.connection.state === 'open',
      selected: this.selected,
      channels: [...this.channels.values()].map((c) => ({
        id: c.info.id,
        kind: c.info.kind,
        bodies: c.info.scene.bodies.length,
        framesReceived: c.framesReceived,
        lastFrameNumber: c.lastFrameNumber,
        drawnFrame: c.playback.drawnFrame,
        drawnTimeSeconds: c.playback.drawnTimeSeconds,
        paused: this.isPaused(c),
        visible: c.visible,
      })),
      drawnBodies: this.world.drawnBodies(),
      sceneBodies: visible.reduce((n, c) => n + c.info.scene.bodies.length, 0),
      renderedFrames: this.renderedFrames,
      invalidMessages: this.invalidMessages,
      errors: [...this.errors],
      charts: this.plots.chartCount(),
    };
  }

  select(id: string): void {
    if (!this.channels.has(id)) return;
    this.userSelected = true;
    if (this.selected === id) return;
    this.selected = id;
    this.world.resetFollow();
    this.refreshList();
    this.refreshControls();
    this.refreshPlots();
  }

  // -------------------------------------------------------------------------------------------
  // Messages

  private onMessage(msg: ServerMessage): void {
    switch (msg.type) {
      case 'welcome':
        for (const id of [...this.channels.keys()]) this.removeChannel(id);
        for (const info of msg.channels) this.upsertChannel(info);
        this.sendSubscription();
        return;
      case 'channel':
        this.upsertChannel(msg.channel);
        return;
      case 'channel-closed':
        this.removeChannel(msg.id);
        return;
      case 'metrics':
        this.plots.add(msg.channel, msg.points);
        this.refreshPlots();
        return;
      case 'state': {
        const c = this.channels.get(msg.channel);
        if (!c) return;
        c.info = { ...c.info, paused: msg.paused, speed: msg.speed };
        if (msg.channel === this.selected) this.refreshControls();
        return;
      }
      case 'error':
        this.errors.push(`${msg.code}: ${msg.message}`);
        if (this.errors.length > 20) this.errors.shift();
        this.toast(msg.message);
        return;
    }
  }

  private onFrame(data: ArrayBuffer, arrivalMs: number): void {
    let header;
    try {
      header = decodeFrameHeader(data);
    } catch (e) {
      this.onInvalid(e as Error);
      return;
    }
    const c = this.byIndex.get(header.channelIndex);
    // A tick for a scene we have not been told about (or an old one): skip it.
    if (!c || header.sceneRevision !== c.info.sceneRevision) return;
    if (header.bodyCount !== c.info.scene.bodies.length) {
      this.onInvalid(new Error(`channel ${c.info.id}: tick has ${header.bodyCount} bodies, scene has ${c.info.scene.bodies.length}`));
      return;
    }
    c.framesReceived++;
    c.lastFrameNumber = header.frameNumber;
    c.rateWindow.push(arrivalMs);
    if (c.localPaused && !c.stepOnce) return;
    let flags = header.flags;
    if (c.stepOnce) {
      c.stepOnce = false;
      flags |= FRAME_DISCONTINUITY;
    }
    decodeFrame(data, c.playback.next());
    c.playback.commit(arrivalMs, header.timeSeconds, header.frameNumber, flags);
  }

  private onInvalid(e: Error): void {
    this.invalidMessages++;
    console.warn('gymnast viewer: ignored a bad message:', e.message);
  }

  private upsertChannel(info: ChannelInfo): void {
    const old = this.channels.get(info.id);
    if (old && old.info.sceneRevision === info.sceneRevision && old.info.index === info.index) {
      old.info = info;
    } else {
      const bodies = info.scene.bodies.length;
      const followBody = Math.max(0, info.scene.bodies.findIndex((b) => FOLLOW_NAMES.test(b.name)));
      const c: ClientChannel = {
        info,
        playback: new Playback(bodies),
        pose: new Float32Array(bodies * 7),
        hasPose: false,
        framesReceived: old?.framesReceived ?? 0,
        lastFrameNumber: old?.lastFrameNumber ?? -1,
        localPaused: old?.localPaused ?? false,
        stepOnce: false,
        visible: old?.visible ?? true,
        followBody: old && old.info.scene.bodies.length === bodies ? old.followBody : followBody,
        rateWindow: [],
      };
      if (old) this.byIndex.delete(old.info.index);
      this.channels.set(info.id, c);
      this.byIndex.set(info.index, c);
      this.world.setChannel(info);
      this.world.setVisible(info.id, c.visible);
    }
    if (this.selected === null || !this.channels.has(this.selected) || !this.userSelected) {
      const next = this.defaultSelection();
      if (next !== this.selected) this.world.resetFollow();
      this.selected = next;
    }
    this.refreshList();
    this.refreshControls();
    this.refreshPlots();
  }

  private removeChannel(id: string): void {
    const c = this.channels.get(id);
    if (!c) return;
    this.channels.delete(id);
    this.byIndex.delete(c.info.index);
    this.world.removeChannel(id);
    this.plots.forget(id);
    if (this.selected === id) this.selected = this.defaultSelection();
    this.refreshList();
    this.refreshControls();
    this.refreshPlots();
  }

  /** A training run that has bodies to show, else the first source with bodies, else the first. */
  private defaultSelection(): string | null {
    const all = [...this.channels.values()];
    const drawable = all.filter((c) => c.info.scene.bodies.length > 0);
    return (drawable.find((c) => c.info.kind === 'run') ?? drawable[0] ?? all[0])?.info.id ?? null;
  }

  private sendSubscription(): void {
    const all = [...this.channels.values()];
    const hidden = all.some((c) => !c.visible);
    this.connection.send({ type: 'subscribe', channels: hidden ? all.filter((c) => c.visible).map((c) => c.info.id) : null });
  }

  // -------------------------------------------------------------------------------------------
  // Controls

  private isPaused(c: ClientChannel): boolean {
    return c.info.controllable ? c.info.paused : c.localPaused;
  }

  togglePause(): void {
    const c = this.selectedChannel();
    if (!c) return;
    if (c.info.controllable) {
      this.connection.send({ type: 'control', channel: c.info.id, action: c.info.paused ? 'resume' : 'pause' });
    } else {
      c.localPaused = !c.localPaused;
      this.refreshControls();
    }
  }

  step(): void {
    const c = this.selectedChannel();
    if (!c) return;
    if (c.info.controllable) {
      this.connection.send({ type: 'control', channel: c.info.id, action: 'step' });
    } else {
      c.localPaused = true;
      c.stepOnce = true;
      this.refreshControls();
    }
  }

  setSpeed(speed: number): void {
    const c = this.selectedChannel();
    if (c?.info.controllable) this.connection.send({ type: 'control', channel: c.info.id, action: 'speed', speed });
  }

  private selectedChannel(): ClientChannel | undefined {
    return this.selected === null ? undefined : this.channels.get(this.selected);
  }

  // -------------------------------------------------------------------------------------------
  // Drawing

  private loop(nowMs: number): void {
    const dt = Math.min(0.1, (nowMs - this.lastRenderMs) / 1000);
    this.lastRenderMs = nowMs;
    const t = performance.now();
    for (const c of this.channels.values()) {
      if (!c.visible) continue;
      if (c.playback.sample(t, c.pose)) {
        c.hasPose = true;
        this.world.applyPose(c.info.id, c.pose, c.info.scene.parents);
      }
    }
    const sel = this.selectedChannel();
    if (this.follow && sel?.hasPose) this.world.follow(sel.info.id, sel.followBody, dt);
    this.world.render();
    this.renderedFrames++;
    this.plots.tick(nowMs);
    if (nowMs - this.lastPanelMs > 250) {
      this.lastPanelMs = nowMs;
      this.refreshRates(t);
    }
    requestAnimationFrame((n) => this.loop(n));
  }

  private onResize(): void {
    const r = this.el.view.getBoundingClientRect();
    this.world.resize(Math.max(1, r.width), Math.max(1, r.height));
    this.plots.resize();
  }

  // -------------------------------------------------------------------------------------------
  // Panel

  private wirePanel(): void {
    const e = this.el;
    e.pause.addEventListener('click', () => this.togglePause());
    e.step.addEventListener('click', () => this.step());
    e.speed.addEventListener('change', () => this.setSpeed(Number(e.speed.value)));
    e.follow.addEventListener('change', () => {
      this.follow = e.follow.checked;
      this.world.resetFollow();
    });
    e.followBody.addEventListener('change', () => {
      const c = this.selectedChannel();
      if (c) c.followBody = Number(e.followBody.value);
      this.world.resetFollow();
    });
    e.bones.addEventListener('change', () => this.world.setBonesVisible(e.bones.checked));
    e.plotChannel.addEventListener('change', () => {
      this.plotChoice = e.plotChannel.value || null;
      this.refreshPlots();
    });
    window.addEventListener('keydown', (ev) => {
      if (ev.target instanceof HTMLInputElement || ev.target instanceof HTMLSelectElement) return;
      if (ev.key === ' ') {
        ev.preventDefault();
        this.togglePause();
      } else if (ev.key === '.' || ev.key === 'ArrowRight') this.step();
    });
  }

  private refreshList(): void {
    const list = this.el.channelList;
    list.replaceChildren();
    for (const c of this.channels.values()) {
      const li = document.createElement('li');
      li.dataset.channel = c.info.id;
      if (c.info.id === this.selected) li.classList.add('selected');
      const show = document.createElement('input');
      show.type = 'checkbox';
      show.checked = c.visible;
      show.title = 'show';
      show.addEventListener('change', () => {
        c.visible = show.checked;
        this.world.setVisible(c.info.id, c.visible);
        this.sendSubscription();
      });
      const pick = document.createElement('button');
      pick.className = 'pick';
      pick.type = 'button';
      pick.textContent = c.info.title;
      pick.title = c.info.id;
      pick.addEventListener('click', () => this.select(c.info.id));
      const badge = document.createElement('span');
      badge.className = `badge ${c.info.kind}`;
      badge.textContent = c.info.ghost ? `${c.info.kind} · ghost` : c.info.kind;
      const rate = document.createElement('span');
      rate.className = 'rate';
      li.append(show, pick, badge, rate);
      list.appendChild(li);
    }
    this.el.noChannels.hidden = this.channels.size > 0;
  }

  private refreshRates(nowMs: number): void {
    for (const li of Array.from(this.el.channelList.children)) {
      const c = this.channels.get((li as HTMLElement).dataset.channel ?? '');
      if (!c) continue;
      while (c.rateWindow.length > 0 && c.rateWindow[0]! < nowMs - 1000) c.rateWindow.shift();
      const rate = li.querySelector('.rate');
      if (rate) rate.textContent = `${c.rateWindow.length} fps`;
    }
    const c = this.selectedChannel();
    this.el.clock.textContent = c ? `t = ${c.playback.drawnTimeSeconds.toFixed(2)} s · frame ${Math.max(0, c.playback.drawnFrame)}${this.isPaused(c) ? ' · paused' : ''}` : '–';
  }

  private refreshControls(): void {
    const e = this.el;
    const c = this.selectedChannel();
    e.pause.disabled = !c;
    e.step.disabled = !c;
    const paused = c ? this.isPaused(c) : false;
    e.pause.textContent = paused ? 'Resume' : 'Pause';
    e.pause.classList.toggle('active', paused);
    e.speed.disabled = !c?.info.controllable;
    e.speed.title = c && !c.info.controllable ? 'a training run goes at its own speed' : 'playback speed';
    if (c) e.speed.value = String(c.info.speed);
    if (c && e.speed.value !== String(c.info.speed)) {
      const opt = document.createElement('option');
      opt.value = String(c.info.speed);
      opt.textContent = `${c.info.speed}×`;
      e.speed.appendChild(opt);
      e.speed.value = opt.value;
    }
    e.followBody.replaceChildren();
    for (const [i, b] of (c?.info.scene.bodies ?? []).entries()) {
      const opt = document.createElement('option');
      opt.value = String(i);
      opt.textContent = b.name;
      e.followBody.appendChild(opt);
    }
    if (c) e.followBody.value = String(c.followBody);
    e.meta.replaceChildren();
    if (c) {
      const rows: [string, string][] = [
        ['source', c.info.id],
        ['bodies', String(c.info.scene.bodies.length)],
        ...Object.entries(c.info.meta).map(([k, v]) => [k, String(v)] as [string, string]),
      ];
      for (const [k, v] of rows) {
        const dt = document.createElement('dt');
        dt.textContent = k;
        const dd = document.createElement('dd');
        dd.textContent = v;
        e.meta.append(dt, dd);
      }
    }
  }

  private refreshPlots(): void {
    const withMetrics = this.plots.channelsWithMetrics();
    // The chosen channel, else the selected one if it has curves, else the first that has some.
    const target =
      this.plotChoice && withMetrics.includes(this.plotChoice)
        ? this.plotChoice
        : this.selected && withMetrics.includes(this.selected)
          ? this.selected
          : (withMetrics[0] ?? null);
    const sel = this.el.plotChannel;
    const current = Array.from(sel.options).map((o) => o.value).join('\n');
    if (current !== withMetrics.join('\n')) {
      sel.replaceChildren();
      for (const id of withMetrics) {
        const opt = document.createElement('option');
        opt.value = id;
        opt.textContent = this.channels.get(id)?.info.title ?? id;
        sel.appendChild(opt);
      }
    }
    if (target !== null) sel.value = target;
    sel.hidden = withMetrics.length < 2;
    this.el.noMetrics.hidden = withMetrics.length > 0;
    this.plots.show(target);
  }

  private setStatus(cls: 'open' | 'closed', text: string): void {
    this.el.status.className = `status ${cls}`;
    this.el.status.textContent = text;
  }

  private toast(text: string): void {
    this.el.toast.textContent = text;
    this.el.toast.classList.add('show');
    clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => this.el.toast.classList.remove('show'), 4000);
  }
}

export interface PageElements {
  view: HTMLElement;
  status: HTMLElement;
  channelList: HTMLElement;
  noChannels: HTMLElement;
  pause: HTMLButtonElement;
  step: HTMLButtonElement;
  speed: HTMLSelectElement;
  follow: HTMLInputElement;
  followBody: HTMLSelectElement;
  bones: HTMLInputElement;
  clock: HTMLElement;
  meta: HTMLElement;
  plotChannel: HTMLSelectElement;
  plots: HTMLElement;
  noMetrics: HTMLElement;
  toast: HTMLElement;
}
