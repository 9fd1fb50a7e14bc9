/**
 * Which tfjs backend runs the networks.
 *
 * Order for `auto`: `tensorflow` (the native TensorFlow library behind `@tensorflow/tfjs-node-gpu`,
 * which gymnast does not depend on: a user who wants it runs `npm install @tensorflow/tfjs-node-gpu`
 * beside gymnast, since its install downloads a native library; where it is absent or its library
 * fails to load, importing it throws and we treat that as "not available"), then `wasm` (the
 * embedded default: `@tensorflow/tfjs-backend-wasm` with SIMD where the runtime has it), then the
 * pure-JS `cpu` backend.
 *
 * In Node the WASM backend cannot fetch its `.wasm` files over http, so we point it at the files in
 * `node_modules/@tensorflow/tfjs-backend-wasm/dist/` by path. Node 20 has WASM SIMD, so the SIMD
 * binary is used; the threaded binary needs SharedArrayBuffer plus cross-origin isolation (a browser
 * notion) and is not picked in Node, so the backend runs single-threaded (`threads: 1` in the
 * report). For the small networks of RL that is what we want anyway: per-op overhead dominates.
 */
import * as tf from '@tensorflow/tfjs';
import { UnknownIdError, UsageError } from '../core/errors.ts';
import { hasNodeBuiltins, nodeBuiltin } from '../core/node-builtins.ts';

export const BACKEND_CHOICES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export interface BackendInfo {
  /** What was asked for. */
  requested: BackendChoice;
  /** The tfjs backend now active: 'tensorflow', 'wasm' or 'cpu'. */
  name: 'tensorflow' | 'wasm' | 'cpu';
  /** WASM only: SIMD binary in use. */
  simd?: boolean;
  /** WASM only: threads used by kernels. */
  threads?: number;
  /** Backends tried before this one, with the reason each was skipped. */
  skipped: { name: string; reason: string }[];
}

let current: BackendInfo | null = null;

/** The backend chosen by the last `initBackend`, or null before it. */
export function backendInfo(): BackendInfo | null {
  return current;
}

/**
 * Chooses and activates a backend. Idempotent for the same choice. `tensorflow`, `wasm` or `cpu`
 * asked by name must load, or this throws; `auto` falls back down the list.
 */
export async function initBackend(choice: BackendChoice | string = 'auto'): Promise<BackendInfo> {
  if (!(BACKEND_CHOICES as readonly string[]).includes(choice)) throw new UnknownIdError('backend', choice, BACKEND_CHOICES);
  const requested = choice as BackendChoice;
  if (current && (current.requested === requested || current.name === requested)) return current;
  const order: BackendInfo['name'][] = requested === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [requested];
  const skipped: BackendInfo['skipped'] = [];
  for (const name of order) {
    try {
      const info = await activate(name);
      current = { requested, ...info, skipped };
      return current;
    } catch (err) {
      const reason = err instanceof Error ? err.message.split('\n')[0]! : String(err);
      if (requested !== 'auto') throw new UsageError(`backend '${name}' is not available: ${reason}`);
      skipped.push({ name, reason });
    }
  }
  throw new Error(`no tfjs backend could be started: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}

async function activate(name: BackendInfo['name']): Promise<Omit<BackendInfo, 'requested' | 'skipped'>> {
  if (name === 'tensorflow') {
    // The package registers the 'tensorflow' backend on import; it throws where its native
    // library is missing. A variable specifier keeps TypeScript from requiring its types.
    const pkg = '@tensorflow/tfjs-node-gpu';
    await import(pkg);
    if (!(await tf.setBackend('tensorflow'))) throw new Error('tfjs-node-gpu loaded but its backend did not start');
    await tf.ready();
    return { name };
  }
  if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(wasmFolder());
    if (!(await tf.setBackend('wasm'))) throw new Error('the WASM backend did not start');
    await tf.ready();
    const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    return { name, simd, threads: wasm.getThreadsCount() };
  }
  // The cpu backend prints a "use tfjs-node" banner on first use in Node; PROD silences it.
  tf.env().set('PROD', true);
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not start');
  await tf.ready();
  return { name };
}

let wasmFolderUrl: string | null = null;

/**
 * Where the WASM backend's `.wasm` files are: a URL a page sets before `initBackend` (the static
 * site serves them beside its scripts), or null for the default: in Node, the files in
 * `node_modules/@tensorflow/tfjs-backend-wasm/dist/`.
 */
export function setWasmFolder(url: string | null): void {
  wasmFolderUrl = url === null || url.endsWith('/') ? url : `${url}/`;
}

function wasmFolder(): string {
  if (wasmFolderUrl !== null) return wasmFolderUrl;
  if (!hasNodeBuiltins()) throw new UsageError("the WASM backend's files: call setWasmFolder(url) before initBackend in a browser page");
  const require = nodeBuiltin('module', 'finding the WASM files').createRequire(import.meta.url);
  const { dirname, join } = nodeBuiltin('path', 'finding the WASM files');
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
}

/** One line for logs: `wasm (simd, 1 thread)`. */
export function describeBackend(info: BackendInfo): string {
  let s: string = info.name;
  if (info.name === 'wasm') s += ` (${info.simd ? 'simd' : 'no simd'}, ${info.threads} thread${info.threads === 1 ? '' : 's'})`;
  if (info.skipped.length > 0) s += `; skipped ${info.skipped.map((k) => `${k.name}: ${k.reason}`).join('; ')}`;
  return s;
}
