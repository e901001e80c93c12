/**
 * {@linkcode MemoryStore}: a `Map`-backed {@linkcode Store} with the same semantics as the
 * local and S3 stores, for tests and scratch work.
 *
 * @module
 */
import type { GetOptions, ListOptions, ObjectInfo, PutBody, PutOptions, Store } from "./store.ts";
import { StoreError } from "./store_error.ts";
import { assertKey, assertPrefix, assertRange, clampRange, compareKeys } from "./_keys.ts";
import { bodyBytes, bytesStream, ioError } from "./_body.ts";

interface Entry {
  bytes: Uint8Array;
  lastModified: Date;
  etag: string;
  contentType?: string;
}

/** Named object maps shared by every `memory://<name>` store of this process. */
const namedMaps = new Map<string, Map<string, Entry>>();
let etagCounter = 0;

/** Options for {@linkcode MemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Share objects with every other memory store of this process opened with the same name
   * (`openStore("memory://name")` does this). Without a name the store is private.
   * @default undefined
   */
  name?: string;
}

/**
 * An in-memory {@linkcode Store}. Puts copy their bytes, so callers may reuse buffers.
 *
 * @example
 * ```ts
 * import { MemoryStore } from "./memory_store.ts";
 * const store = new MemoryStore();
 * await store.put("ds/a.txt", "hello");
 * const bytes = await store.get("ds/a.txt", { range: { offset: 1, length: 3 } });
 * if (new TextDecoder().decode(bytes) !== "ell") throw new Error("unexpected");
 * ```
 */
export class MemoryStore implements Store {
  /** `memory://<name>`, or `memory://private-<n>` for an unnamed store. */
  readonly url: string;
  readonly #objects: Map<string, Entry>;

  constructor(options: MemoryStoreOptions = {}) {
    if (options.name !== undefined) {
      let objects = namedMaps.get(options.name);
      if (!objects) namedMaps.set(options.name, objects = new Map());
      this.#objects = objects;
      this.url = `memory://${options.name}`;
    } else {
      this.#objects = new Map();
      this.url = `memory://private-${++etagCounter}`;
    }
  }

  #entry(key: string): Entry {
    assertKey(key, this.url);
    const entry = this.#objects.get(key);
    if (!entry) {
      throw new StoreError("not_found", `Cannot read "${key}" from ${this.url}: no such object`, {
        key,
        url: this.url,
      });
    }
    return entry;
  }

  /** Reads a whole object, or a range of it (clamped to the object's end). */
  get(key: string, options: GetOptions = {}): Promise<Uint8Array> {
    try {
      assertRange(options.range);
      const { bytes } = this.#entry(key);
      const [start, end] = clampRange(options.range, bytes.byteLength);
      return Promise.resolve(bytes.slice(start, end));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Streams an object or a range of it. */
  async getStream(key: string, options: GetOptions = {}): Promise<ReadableStream<Uint8Array>> {
    const bytes = await this.get(key, options);
    return bytesStream(bytes);
  }

  /** Stores a copy of the body once it is complete; create-only puts check at that moment. */
  async put(key: string, body: PutBody, options: PutOptions = {}): Promise<void> {
    assertKey(key, this.url);
    if (options.ifNoneMatch === "*") this.#assertAbsent(key);
    let bytes: Uint8Array;
    try {
      bytes = await bodyBytes(body);
    } catch (cause) {
      throw ioError("write", key, this.url, cause);
    }
    // Check and set run without an await between them: create-only puts are race-free.
    if (options.ifNoneMatch === "*") this.#assertAbsent(key);
    this.#objects.set(key, {
      bytes: bytes.slice(),
      lastModified: new Date(),
      etag: `"m${++etagCounter}"`,
      contentType: options.contentType,
    });
  }

  #assertAbsent(key: string): void {
    if (this.#objects.has(key)) {
      throw new StoreError(
        "already_exists",
        `Cannot create "${key}" in ${this.url}: the object already exists`,
        { key, url: this.url },
      );
    }
  }

  /** Object metadata, or `undefined` when absent. */
  head(key: string): Promise<ObjectInfo | undefined> {
    try {
      assertKey(key, this.url);
    } catch (err) {
      return Promise.reject(err);
    }
    const entry = this.#objects.get(key);
    return Promise.resolve(
      entry
        ? { key, size: entry.bytes.byteLength, etag: entry.etag, lastModified: entry.lastModified }
        : undefined,
    );
  }

  /** Lists keys starting with `prefix` in byte order; with `delimiter`, one level only. */
  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ObjectInfo> {
    assertPrefix(prefix, this.url);
    const keys = [...this.#objects.keys()].filter((k) => k.startsWith(prefix)).sort(compareKeys);
    let lastCommon: string | undefined;
    for (const key of keys) {
      if (options.delimiter) {
        const cut = key.indexOf(options.delimiter, prefix.length);
        if (cut >= 0) {
          const common = key.slice(0, cut + 1);
          if (common !== lastCommon) yield { key: lastCommon = common, size: 0 };
          continue;
        }
      }
      const entry = this.#objects.get(key);
      if (entry) {
        yield {
          key,
          size: entry.bytes.byteLength,
          etag: entry.etag,
          lastModified: entry.lastModified,
        };
      }
    }
  }

  /** Deletes an object; absent keys are fine. */
  delete(key: string): Promise<void> {
    try {
      assertKey(key, this.url);
    } catch (err) {
      return Promise.reject(err);
    }
    this.#objects.delete(key);
    return Promise.resolve();
  }

  /** Deletes many objects; absent keys are fine. Every key is checked before any is deleted. */
  deleteMany(keys: readonly string[]): Promise<void> {
    try {
      for (const key of keys) assertKey(key, this.url);
    } catch (err) {
      return Promise.reject(err);
    }
    for (const key of keys) this.#objects.delete(key);
    return Promise.resolve();
  }
}
