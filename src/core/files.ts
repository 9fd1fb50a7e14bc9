/**
 * Where the shared code reads its files from: clips, characters, controllers, checkpoints.
 *
 * One small interface with two implementations. In Node it is the file system (the default, no
 * set-up). In a browser page it is `FetchedFiles`: the page fetches the files it will need over
 * HTTP once, up front (`await FetchedFiles.load(baseUrl, paths)`), and `useFiles` makes them the
 * source; the readers then run unchanged and synchronously, which keeps `make()` and the readers
 * synchronous on both platforms.
 */
import { FileFormatError, GymnastError } from './errors.ts';
import { hasNodeBuiltins, nodeBuiltin } from './node-builtins.ts';
import { normalizePath } from './paths.ts';

export interface FileSource {
  /** Says where the files come from, for error messages ('the file system', a base URL). */
  readonly description: string;
  /** The file's bytes; throws a `FileUnreadableError` when it is missing or unreadable. */
  readBytes(path: string): Uint8Array;
  /** The file's text (UTF-8). */
  readText(path: string): string;
  /** True for a file that can be read. */
  isFile(path: string): boolean;
  /** True for a file or a folder. */
  exists(path: string): boolean;
  /**
   * The size of a regular file, read without reading the file (so a reader can refuse a file
   * that is not the size it expects before loading it); null for anything else: missing, a
   * folder, a symbolic link.
   */
  regularFileSize(path: string): number | null;
  /** The names in a folder, sorted; [] where there is no such folder. */
  list(folder: string): string[];
}

/** A file that a source cannot give; `reason` is short (`ENOENT`, `not fetched`, `HTTP 404`). */
export class FileUnreadableError extends GymnastError {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: cannot read (${reason})`);
    this.name = 'FileUnreadableError';
  }
}

/** The file system, through Node's `fs`. */
export function nodeFiles(): FileSource {
  const fs = () => nodeBuiltin('fs', 'reading files');
  const read = (path: string): Buffer => {
    try {
      return fs().readFileSync(path);
    } catch (e) {
      throw new FileUnreadableError(path, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
    }
  };
  return {
    description: 'the file system',
    readBytes: (path) => new Uint8Array(read(path)),
    readText: (path) => read(path).toString('utf8'),
    isFile: (path) => {
      try {
        return fs().statSync(path).isFile();
      } catch {
        return false;
      }
    },
    exists: (path) => fs().existsSync(path),
    regularFileSize: (path) => {
      try {
        const info = fs().lstatSync(path);
        return info.isFile() ? info.size : null;
      } catch {
        return null;
      }
    },
    list: (folder) => {
      try {
        return fs().readdirSync(folder).sort();
      } catch {
        return [];
      }
    },
  };
}

/**
 * Files fetched over HTTP before use: `load` fetches every path (relative to `baseUrl`) at once and
 * keeps their bytes; reads are then synchronous. A path that was not fetched is an error naming it.
 */
export class FetchedFiles implements FileSource {
  private constructor(
    readonly description: string,
    private readonly bytes: Map<string, Uint8Array>,
  ) {}

  /** Fetches `paths` from `baseUrl` ('' for the page's own folder); a failed fetch throws naming the URL and status. */
  static async load(baseUrl: string, paths: readonly string[], fetchFn: typeof fetch = fetch): Promise<FetchedFiles> {
    const base = baseUrl === '' || baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
    const entries = await Promise.all(
      paths.map(async (path) => {
        const key = normalizePath(path);
        const url = base + key;
        const response = await fetchFn(url);
        if (!response.ok) throw new FileUnreadableError(url, `HTTP ${response.status}`);
        return [key, new Uint8Array(await response.arrayBuffer())] as const;
      }),
    );
    return new FetchedFiles(`files fetched from ${base || 'the page folder'}`, new Map(entries));
  }

  /** Files already in memory (tests, and pages that build their files). */
  static fromMap(description: string, files: ReadonlyMap<string, Uint8Array | string>): FetchedFiles {
    const enc = new TextEncoder();
    return new FetchedFiles(description, new Map([...files].map(([k, v]) => [normalizePath(k), typeof v === 'string' ? enc.encode(v) : v])));
  }

  /** Adds `other`'s files (a later load for more clips). */
  merge(other: FetchedFiles): FetchedFiles {
    return new FetchedFiles(this.description, new Map([...this.bytes, ...other.bytes]));
  }

  readBytes(path: string): Uint8Array {
    const hit = this.bytes.get(normalizePath(path));
    if (!hit) throw new FileUnreadableError(path, `not fetched: add it to the paths given to FetchedFiles.load (${this.description})`);
    return hit;
  }

  readText(path: string): string {
    return new TextDecoder().decode(this.readBytes(path));
  }

  isFile(path: string): boolean {
    return this.bytes.has(normalizePath(path));
  }

  exists(path: string): boolean {
    return this.isFile(path) || this.list(path).length > 0;
  }

  regularFileSize(path: string): number | null {
    return this.bytes.get(normalizePath(path))?.byteLength ?? null;
  }

  list(folder: string): string[] {
    const prefix = `${normalizePath(folder)}/`;
    const names = new Set<string>();
    for (const key of this.bytes.keys()) {
      if (key.startsWith(prefix)) names.add(key.slice(prefix.length).split('/')[0]!);
    }
    return [...names].sort();
  }
}

let current: FileSource | null = null;

/** Makes `source` the one the readers use (null: back to the default). */
export function useFiles(source: FileSource | null): void {
  current = source;
}

/** The source the readers use: the one `useFiles` set, else the file system where Node runs. */
export function files(): FileSource {
  if (current) return current;
  if (hasNodeBuiltins()) return (current = nodeFiles());
  throw new GymnastError('no file source: in a browser page, call useFiles(await FetchedFiles.load(baseUrl, paths)) before loading clips or checkpoints');
}

/**
 * A file's text from the current source, or one `FileFormatError` naming the file ("cannot read
 * (ENOENT)"): what every reader of gymnast's formats starts with.
 */
export function readTextFile(path: string): string {
  try {
    return files().readText(path);
  } catch (e) {
    if (e instanceof FileUnreadableError) throw new FileFormatError(path, 'file', `cannot read (${e.reason})`);
    throw e;
  }
}
