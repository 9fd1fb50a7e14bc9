/**
 * What the page shows of one training run: a `run` channel with its curves and, while a page
 * watches and the trainer sends them, frames of its training env 0; beside it a player running
 * the run's latest checkpoint with the greedy policy, in real time, checkpoint after checkpoint.
 * Fed by a training worker (`train-live.ts`) or by a run folder on disk (`follow-run.ts`).
 */
import type { SceneSpec } from '../core/frame.ts';
import { make } from '../envs/registry.ts';
import { buildRunAgent, greedyActor } from '../train/evaluate.ts';
import { readRunConfig } from '../train/run-config.ts';
import { initBackend } from '../nn/backend.ts';
import { EnvPlayer, type Channel, type Policy, type ViewerHub } from '../viewer/server/index.ts';

/** The channel id of a run's curves and training env. */
export function runChannelId(envId: string, agent: string): string {
  return `run:${envId}/${agent}`;
}

export class RunDisplay {
  readonly channel: Channel;
  readonly player: EnvPlayer;
  private closeAgent: (() => void) | null = null;
  private loading = Promise.resolve();
  /** The run folder whose config.json and checkpoints the player loads (known once training starts). */
  runDir: string | null = null;

  constructor(
    hub: ViewerHub,
    readonly envId: string,
    readonly agentName: string,
    meta: Record<string, string | number>,
    /** The run's env options (a policy trained with them plays with them: e.g. an imitation env's clip and action mode). */
    envOptions: Record<string, unknown> = {},
    private readonly log: (line: string) => void = (l) => console.error(l),
  ) {
    const title = `${agentName.toUpperCase()} on ${envId}`;
    // The training env's bodies are known once the trainer sends a frame; until then, none.
    this.channel = hub.channel({
      id: runChannelId(envId, agentName),
      title: `${title} · training env 0`,
      kind: 'run',
      scene: { bodies: [] },
      offset: [0, 0, 0],
      meta: { env: envId, agent: agentName, ...meta },
    });
    this.player = new EnvPlayer(hub, make(envId, { options: envOptions }), {
      id: `policy:${envId}/${agentName}`,
      title: `${title} · latest checkpoint`,
      offset: [0, 0, -1.2],
      meta: { agent: agentName, policy: 'random (no checkpoint yet)' },
      log,
    }).start();
  }

  metrics(step: number, values: Record<string, number>): void {
    this.channel.metrics(step, values);
  }

  frame(frame: { scene?: SceneSpec; transforms: Float32Array; time: number }): void {
    this.channel.publish(frame);
  }

  /**
   * Loads a checkpoint into the player (one at a time; a newer one waits for the last). Resolves
   * true once it plays; false when it could not be loaded, which is reported as a problem of the
   * run (the player keeps the policy it had).
   */
  checkpoint(path: string, step: number): Promise<boolean> {
    const done = this.loading.then(() => this.load(path, step)).then(
      () => (this.problem('checkpoint', null), true),
      (e) => (this.problem('checkpoint', `cannot load checkpoint ${path}: ${e instanceof Error ? e.message : String(e)}`), false),
    );
    this.loading = done.then(() => {});
    return done;
  }

  private readonly problems = new Map<string, string>();

  /**
   * What stops the display from following the run, by source (`checkpoint`, `folder`, …); null
   * when that source works again. A new problem is logged once (not at every retry) and shown in
   * the page as the run channel's `status`; when none is left, the status goes.
   */
  problem(source: string, message: string | null): void {
    const before = this.problems.get(source) ?? null;
    if (message === before) return;
    if (message === null) {
      this.problems.delete(source);
      this.log(`viewer: ${this.envId}/${this.agentName}: ${source} readable again`);
    } else {
      this.problems.set(source, message);
      this.log(`viewer: ${message} (still watching, retrying)`);
    }
    const { status: _old, ...meta } = this.channel.describe().meta;
    this.channel.setMeta(this.problems.size > 0 ? { ...meta, status: [...this.problems.values()].join('; ') } : meta);
  }

  private async load(path: string, step: number): Promise<void> {
    if (!this.runDir) return;
    const config = readRunConfig(this.runDir);
    await initBackend('auto');
    const { agent, env, close } = buildRunAgent(this.runDir, config, path);
    const policy: Policy = greedyActor(agent, env);
    this.player.setPolicy(policy, { policy: `greedy, checkpoint at step ${step}` });
    this.closeAgent?.();
    this.closeAgent = close;
  }

  close(): void {
    this.player.close();
    this.channel.close();
    this.closeAgent?.();
    this.closeAgent = null;
  }
}
