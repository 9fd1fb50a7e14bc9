/**
 * The page `gymnast record` drives (src/live/record.ts): the viewer's three.js world without the
 * panel, drawn one frame at a time when told, each frame captured from the canvas and encoded, so
 * a video has exactly one frame per step of simulated time whatever the machine's speed.
 *
 * WebM: the frames go through WebCodecs' VideoEncoder (VP9) with timestamps k / fps, muxed by
 * webm-muxer. GIF: each frame is quantized to 256 colours and written by gifenc (delays are in
 * hundredths of a second, so 1/fps is rounded to them).
 */
import { applyPalette, GIFEncoder, quantize } from 'gifenc';
import { ArrayBufferTarget, Muxer } from 'webm-muxer';
import type { ChannelInfo } from '../protocol.ts';
import { World } from './world.ts';

export interface RecordSetup {
  width: number;
  height: number;
  fps: number;
  format: 'webm' | 'gif';
  channels: ChannelInfo[];
  /** The channel and body the camera follows (null: a fixed camera). */
  follow: { id: string; body: number } | null;
}

interface Encoder {
  frame(k: number): Promise<void>;
  finish(): Promise<Uint8Array>;
}

let world: World;
let setup: RecordSetup;
let encoder: Encoder;
let frames = 0;

function webmEncoder(canvas: HTMLCanvasElement, s: RecordSetup): Encoder {
  const muxer = new Muxer({ target: new ArrayBufferTarget(), video: { codec: 'V_VP9', width: s.width, height: s.height, frameRate: s.fps } });
  let failure: Error | null = null;
  const video = new VideoEncoder({ output: (chunk, meta) => muxer.addVideoChunk(chunk, meta), error: (e) => (failure = e as Error) });
  video.configure({ codec: 'vp09.00.10.08', width: s.width, height: s.height, bitrate: 2_000_000, framerate: s.fps });
  const us = 1e6 / s.fps;
  return {
    async frame(k) {
      const frame = new VideoFrame(canvas, { timestamp: Math.round(k * us), duration: Math.round(us) });
      video.encode(frame, { keyFrame: k % (2 * s.fps) === 0 });
      frame.close();
      // Back-pressure: a long video must not queue every frame in the encoder.
      while (video.encodeQueueSize > 4) await new Promise((r) => setTimeout(r, 1));
      if (failure) throw failure;
    },
    async finish() {
      await video.flush();
      if (failure) throw failure;
      muxer.finalize();
      return new Uint8Array(muxer.target.buffer);
    },
  };
}

function gifEncoder(canvas: HTMLCanvasElement, s: RecordSetup): Encoder {
  const gif = GIFEncoder();
  const flat = document.createElement('canvas');
  flat.width = s.width;
  flat.height = s.height;
  const ctx = flat.getContext('2d', { willReadFrequently: true })!;
  const delay = Math.round(100 / s.fps) * 10;
  return {
    async frame() {
      ctx.drawImage(canvas, 0, 0, s.width, s.height);
      const { data } = ctx.getImageData(0, 0, s.width, s.height);
      const palette = quantize(data, 256);
      gif.writeFrame(applyPalette(data, palette), s.width, s.height, { palette, delay });
    },
    async finish() {
      gif.finish();
      return gif.bytes();
    },
  };
}

/** Sets up the world and the encoder. */
function start(s: RecordSetup): void {
  setup = s;
  const view = document.getElementById('view')!;
  view.style.width = `${s.width}px`;
  view.style.height = `${s.height}px`;
  world = new World(view);
  world.renderer.setPixelRatio(1);
  world.resize(s.width, s.height);
  for (const info of s.channels) world.setChannel(info);
  const canvas = world.renderer.domElement;
  encoder = s.format === 'webm' ? webmEncoder(canvas, s) : gifEncoder(canvas, s);
}

/** Draws one frame from each channel's poses (7 floats per body) and encodes it. */
async function frame(poses: Record<string, number[]>): Promise<number> {
  for (const info of setup.channels) {
    const pose = poses[info.id];
    if (pose) world.applyPose(info.id, Float32Array.from(pose), info.scene.parents);
  }
  if (setup.follow) world.follow(setup.follow.id, setup.follow.body, 1 / setup.fps);
  world.render();
  await encoder.frame(frames);
  return ++frames;
}

/** The encoded file, base64 (what page.evaluate carries back best). */
async function finish(): Promise<string> {
  const bytes = await encoder.finish();
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

(window as unknown as { __record: unknown }).__record = { start, frame, finish, frames: () => frames };
