/**
 * {@linkcode LocalStore}: a {@linkcode Store} over a folder of the local file system.
 *
 * @module
 */
import { lstat, open, stat, unlink } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { GetOptions, ListOptions, ObjectInfo, PutBody, PutOptions, Store } from "./store.ts";
import { StoreError } from "./store_error.ts";
import { assertKey, assertPrefix, assertRange, clampRange } from "./_keys.ts";
import { ioError } from "./_body.ts";
import {
  errno,
  fileRangeStream,
  readRange,
  tempPathFor,
  walk,
  walkTemp,
  writeTemp,
} from "./_local_fs.ts";

const MISSING = ["ENOENT", "ENOTDIR", "EISDIR"];

/** Options for {@linkcode LocalStore.sweepTemp}. */
export interface SweepTempOptions {
  /**
   * Remove only temp files not modified for this long (ms), so that a put still in progress
   * (a shard streaming in, which touches its temp file as it goes) keeps its file. `0` removes
   * every temp file: only when no writer can be alive.
   * @default 600_000 (10 minutes)
   */
  olderThanMs?: number;
  /** The current time in ms (tests). @default Date.now() */
  now?: number;
}

/**
 * A {@linkcode Store} over a local folder (created on first write). Keys map to files below
 * the root. Every put writes a hidden temp file `.<name>.<random>.tmp` in the target folder and
 * renames it into place, so readers see the old object or the new one, never a partial one;
 * `list` skips temp files. A create-only put (`ifNoneMatch: "*"`) hard-links the temp file to
 * the final name, which fails if that name exists: of N concurrent create-only puts exactly one
 * wins. A key cannot name both an object and a folder (`a` and `a/b`), unlike on S3.
 *
 * @example
 * ```ts
 * import { LocalStore } from "./local_store.ts";
 * const root = await Deno.makeTempDir();
 * const store = new LocalStore(root);
 * await store.put("ds/shard-000000.tar", new Uint8Array([1, 2, 3]));
 * const keys = [];
 * for await (const info of store.list("ds/")) keys.push(info.key);
 * if (keys.join() !== "ds/shard-000000.tar") throw new Error("unexpected");
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export class LocalStore implements Store {
  /** `file:///abs/root`. */
  readonly url: string;
  /** Absolute path of the root folder. */
  readonly root: string;

  /** Opens (without touching the disk) the folder `root`, resolved against the working directory. */
  constructor(root: string) {
    this.root = resolve(root);
    this.url = pathToFileURL(this.root).href;
  }

  /**
   * The file path of `key` (the object need not exist): for readers that hand a file to a
   * library reading files (DuckDB) instead of copying its bytes. Throws on an invalid key.
   *
   * @example
   * ```ts
   * import { LocalStore } from "./local_store.ts";
   * const store = new LocalStore("/data");
   * if (store.pathOf("ds/a.parquet") !== "/data/ds/a.parquet") throw new Error();
   * ```
   */
  pathOf(key: string): string {
    return this.#path(key);
  }

  #path(key: string): string {
    assertKey(key, this.url);
    return join(this.root, key);
  }

  #notFound(key: string, cause?: unknown): StoreError {
    return new StoreError("not_found", `Cannot read "${key}" from ${this.url}: no such object`, {
      key,
      url: this.url,
      cause,
    });
  }

  async #open(key: string) {
    const path = this.#path(key);
    try {
      const fh = await open(path, "r");
      const info = await fh.stat().catch(async (err) => {
        await fh.close();
        throw err;
      });
      if (info.isFile()) return { fh, size: info.size };
      await fh.close();
      throw this.#notFound(key);
    } catch (err) {
      if (err instanceof StoreError) throw err;
      if (MISSING.includes(errno(err) ?? "")) throw this.#notFound(key, err);
      throw ioError("read", key, this.url, err);
    }
  }

  /** Reads a whole object, or a range of it (clamped to the object's end). */
  async get(key: string, options: GetOptions = {}): Promise<Uint8Array> {
    assertRange(options.range);
    if (!options.range) {
      // A whole object in one call (records and manifests: most reads are of small files).
      try {
        return await Deno.readFile(this.#path(key));
      } catch (err) {
        if (MISSING.includes(errno(err) ?? "")) throw this.#notFound(key, err);
        throw ioError("read", key, this.url, err);
      }
    }
    const { fh, size } = await this.#open(key);
    try {
      const [start, end] = clampRange(options.range, size);
      return await readRange(fh, start, end);
    } catch (err) {
      throw ioError("read", key, this.url, err);
    } finally {
      await fh.close();
    }
  }

  /** Streams an object or a range of it; the file stays open until the stream ends or is cancelled. */
  async getStream(key: string, options: GetOptions = {}): Promise<ReadableStream<Uint8Array>> {
    assertRange(options.range);
    const { fh, size } = await this.#open(key);
    const [start, end] = clampRange(options.range, size);
    return fileRangeStream(fh, start, end);
  }

  /** Writes an object atomically (temp file, then rename or, for create-only, hard link). */
  async put(key: string, body: PutBody, options: PutOptions = {}): Promise<void> {
    const path = this.#path(key);
    const createOnly = options.ifNoneMatch === "*";
    // Fail fast before streaming a large body; the link() below is what makes it race-free.
    if (
      createOnly && body instanceof ReadableStream &&
      await stat(path).then(() => true, () => false)
    ) {
      throw this.#exists(key);
    }
    const tmp = tempPathFor(path);
    try {
      await writeTemp(tmp, body);
    } catch (err) {
      throw ioError("write", key, this.url, err);
    }
    try {
      if (createOnly) await Deno.link(tmp, path);
      else await Deno.rename(tmp, path);
    } catch (err) {
      await Deno.remove(tmp).catch(() => {});
      if (createOnly && errno(err) === "EEXIST") throw this.#exists(key);
      throw ioError("write", key, this.url, err);
    }
    if (createOnly) await Deno.remove(tmp).catch(() => {});
  }

  #exists(key: string): StoreError {
    return new StoreError(
      "already_exists",
      `Cannot create "${key}" in ${this.url}: the object already exists`,
      { key, url: this.url },
    );
  }

  /** Object metadata (size, modification time), or `undefined` when absent. */
  async head(key: string): Promise<ObjectInfo | undefined> {
    const path = this.#path(key);
    try {
      const info = await stat(path);
      return info.isFile() ? { key, size: info.size, lastModified: info.mtime } : undefined;
    } catch (err) {
      if (MISSING.includes(errno(err) ?? "")) return undefined;
      throw ioError("stat", key, this.url, err);
    }
  }

  /** Lists objects whose key starts with `prefix`, in byte order, skipping temp files. */
  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ObjectInfo> {
    assertPrefix(prefix, this.url);
    const cut = prefix.lastIndexOf("/") + 1;
    try {
      yield* walk(this.root, prefix.slice(0, cut), prefix.slice(cut), options.delimiter === "/");
    } catch (err) {
      throw ioError("list", prefix, this.url, err);
    }
  }

  /**
   * Removes the temp files that interrupted puts left (a process killed mid-put leaves its
   * `.<name>.<16 hex>.tmp` behind; `list` never shows them, but they take space) for keys that
   * start with `prefix`, when older than `olderThanMs`. Resolves to the removed files' paths
   * relative to the root. Not part of {@linkcode Store}: other backends have no temp files.
   *
   * @example
   * ```ts
   * import { LocalStore } from "./local_store.ts";
   * const root = await Deno.makeTempDir();
   * const store = new LocalStore(root);
   * await Deno.mkdir(`${root}/ds`);
   * await Deno.writeTextFile(`${root}/ds/.shard-000000.tar.0123456789abcdef.tmp`, "partial");
   * const old = Date.now() + 3_600_000; // an hour from now, the file is stale
   * const removed = await store.sweepTemp("ds/", { now: old });
   * if (removed.join() !== "ds/.shard-000000.tar.0123456789abcdef.tmp") throw new Error();
   * await Deno.remove(root, { recursive: true });
   * ```
   */
  async sweepTemp(prefix: string, options: SweepTempOptions = {}): Promise<string[]> {
    assertPrefix(prefix, this.url);
    const olderThanMs = options.olderThanMs ?? 600_000;
    const now = options.now ?? Date.now();
    const cut = prefix.lastIndexOf("/") + 1;
    const removed: string[] = [];
    try {
      for await (const temp of walkTemp(this.root, prefix.slice(0, cut), prefix.slice(cut))) {
        if (now - temp.mtimeMs < olderThanMs) continue;
        try {
          await unlink(join(this.root, temp.path));
          removed.push(temp.path);
        } catch (err) {
          if (errno(err) !== "ENOENT") throw err; // its writer finished or failed meanwhile
        }
      }
    } catch (err) {
      throw ioError("delete", prefix, this.url, err);
    }
    return removed;
  }

  /** Deletes an object; absent keys (and folders) are fine. Empty folders are left in place. */
  async delete(key: string): Promise<void> {
    const path = this.#path(key);
    try {
      await unlink(path);
    } catch (err) {
      const code = errno(err);
      if (code === "ENOENT" || code === "ENOTDIR") return;
      const isDir = await lstat(path).then((s) => s.isDirectory(), () => false);
      if (isDir) return;
      throw ioError("delete", key, this.url, err);
    }
  }

  /** Deletes many objects, up to 64 unlinks at once; absent keys (and folders) are fine. */
  async deleteMany(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.#path(key); // every key checked before any is deleted
    let next = 0;
    const worker = async () => {
      while (next < keys.length) await this.delete(keys[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(64, keys.length) }, worker));
  }
}
