/**
 * {@linkcode ShardWriter}: write samples as a rotating series of WebDataset tar shards into a
 * {@linkcode Store}, streaming each shard so it is never held whole in memory.
 *
 * @module
 */

import { createHash, type Hash } from "node:crypto";
import type { Store } from "../store/store.ts";
import { TarWriter } from "./tar_writer.ts";

/** A sample as the tar layer writes it: a key and one payload per extension. */
export interface ShardSampleInput {
  /** The sample key (its basename must be dot-free). */
  __key__: string;
  /** Member payloads by extension, written in this order as `<key>.<ext>`. */
  files: Record<string, Uint8Array>;
}

/** What {@linkcode ShardWriter.close} reports per shard (and `onShardClose` receives). */
export interface ShardInfo {
  /** The shard's store key, e.g. `"ds/shard-000003.tar"`. */
  key: string;
  /** The shard number substituted into the pattern. */
  index: number;
  /** Samples in the shard. */
  numSamples: number;
  /** Size of the tar in bytes. */
  sizeBytes: number;
  /** Hex SHA-256 of the tar. */
  sha256: string;
  /** True for the shard that `close` finished: no shard follows it. */
  last: boolean;
}

/** Where one written sample landed (what `onSample` receives). */
export interface ShardSampleInfo<S> {
  /** Store key of the shard holding the sample. */
  shard: string;
  /** The sample key. */
  key: string;
  /** Byte offset of the sample's first header in the shard. */
  offset: number;
  /** Bytes of the sample's members, headers and padding included. */
  size: number;
  /** The sample as passed to `write`. */
  sample: S;
}

/** Options of {@linkcode ShardWriter}. */
export interface ShardWriterOptions<S> {
  /** Start a new shard once this many samples were written. @default {100000} */
  maxcount?: number;
  /** Start a new shard once the tar reaches this many bytes (checked before each sample). @default {3e9} */
  maxsize?: number;
  /** Number of the first shard. @default {0} */
  startIndex?: number;
  /** Header mtime, in seconds. @default {0} */
  mtime?: number;
  /** Turns a caller's sample into key and files (e.g. with the schema codecs). @default identity */
  encode?: (sample: S) => ShardSampleInput;
  /** Called after each sample is added, with its shard and byte range. */
  onSample?: (info: ShardSampleInfo<S>) => void;
  /** Called (and awaited) once a shard's put has completed. */
  onShardClose?: (info: ShardInfo) => Promise<void> | void;
  /** Bytes queued toward the store before `write` waits for it. @default {8388608} */
  highWaterMark?: number;
}

/** Bytes gathered in the tar writer before they are sent to the store. */
const SEND_BATCH = 64 << 10;

/** Errors that fail one write without breaking the writer. */
const harmless = new WeakSet<object>();

interface OpenShard {
  key: string;
  index: number;
  tar: TarWriter;
  hash: Hash;
  count: number;
  controller: ReadableStreamDefaultController<Uint8Array>;
  put: Promise<void>;
  error?: unknown;
  wake?: () => void;
}

/**
 * Formats a shard name: `%d` or `%0Nd` in `pattern` becomes `index` (zero-padded to N).
 *
 * @example
 * ```ts
 * import { shardName } from "./shard_writer.ts";
 * if (shardName("ds/shard-%06d.tar", 42) !== "ds/shard-000042.tar") throw new Error();
 * ```
 */
export function shardName(pattern: string, index: number): string {
  const match = /%(0?)(\d*)d/.exec(pattern);
  if (!match) {
    throw new RangeError(
      `Cannot name shards after ${JSON.stringify(pattern)}: it has no %d or %0Nd`,
    );
  }
  const digits = String(index).padStart(match[1] ? Number(match[2]) : 0, "0");
  return pattern.slice(0, match.index) + digits + pattern.slice(match.index + match[0].length);
}

/**
 * Writes samples to `<pattern with %06d>` shards in a store, rotating at `maxcount` samples or
 * `maxsize` bytes (checked before each sample, as webdataset's `ShardWriter` does). Each shard
 * streams to `store.put` as it is written, with its SHA-256 computed on the way; the store
 * makes it visible only once complete. Writes are serialized, so `write` may be called without
 * awaiting each one. Don't mutate a sample's buffers after passing it in: large members are
 * queued without copying.
 *
 * @example
 * ```ts
 * import { ShardWriter } from "./shard_writer.ts";
 * import { MemoryStore } from "../store/memory_store.ts";
 * const store = new MemoryStore();
 * const writer = new ShardWriter(store, "ds/shard-%06d.tar", { maxcount: 2 });
 * for (let i = 0; i < 5; i++) {
 *   await writer.write({ __key__: `s${i}`, files: { txt: new TextEncoder().encode(`sample ${i}`) } });
 * }
 * const shards = await writer.close();
 * if (shards.map((s) => s.numSamples).join() !== "2,2,1") throw new Error("unexpected rotation");
 * if (shards[2]!.key !== "ds/shard-000002.tar") throw new Error(shards[2]!.key);
 * ```
 */
export class ShardWriter<S = ShardSampleInput> {
  readonly #store: Store;
  readonly #pattern: string;
  readonly #options: ShardWriterOptions<S>;
  readonly #maxcount: number;
  readonly #maxsize: number;
  readonly #batch: number;
  #next: number;
  #cur: OpenShard | undefined;
  #queue: Promise<void> = Promise.resolve();
  #failed: unknown;
  #state: "open" | "closed" | "aborted" = "open";
  /** Shards completed so far. */
  readonly shards: ShardInfo[] = [];

  constructor(store: Store, pattern: string, options: ShardWriterOptions<S> = {}) {
    shardName(pattern, 0); // validates the pattern
    this.#store = store;
    this.#pattern = pattern;
    this.#options = options;
    this.#maxcount = options.maxcount ?? 100_000;
    this.#maxsize = options.maxsize ?? 3e9;
    this.#next = options.startIndex ?? 0;
    this.#batch = Math.min(SEND_BATCH, options.highWaterMark ?? SEND_BATCH);
  }

  /** Adds one sample; resolves once it is queued toward the store. */
  write(sample: S): Promise<void> {
    if (this.#state !== "open") {
      return Promise.reject(new TypeError(`Cannot write: the ShardWriter is ${this.#state}`));
    }
    return this.#enqueue(() => this.#write(sample));
  }

  /** Finishes the current shard and resolves to the info of every shard written. */
  async close(): Promise<ShardInfo[]> {
    if (this.#state === "open") {
      this.#state = "closed";
      await this.#enqueue(() => this.#closeShard(true));
    }
    await this.#queue;
    return this.shards;
  }

  /** Stops writing: the shard in progress never appears, and shards already completed are deleted. */
  async abort(reason: unknown = new Error("ShardWriter aborted")): Promise<void> {
    if (this.#state === "aborted") return;
    this.#state = "aborted";
    this.#failed ??= reason;
    const cur = this.#cur;
    this.#cur = undefined;
    if (cur) this.#discard(cur, reason);
    await this.#queue;
    await cur?.put;
    for (const shard of this.shards) await this.#store.delete(shard.key);
    this.shards.length = 0;
  }

  #enqueue(step: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(() => {
      if (this.#failed !== undefined) throw this.#failed;
      return step();
    });
    this.#queue = run.catch((err) => {
      if (harmless.has(err)) return;
      // A failed shard must not appear: error its stream so the store drops the put.
      this.#failed ??= err;
      if (this.#cur) this.#discard(this.#cur, err);
      this.#cur = undefined;
    });
    return run;
  }

  #discard(cur: OpenShard, reason: unknown): void {
    cur.error ??= reason;
    try {
      cur.controller.error(reason);
    } catch { /* already closed or errored */ }
    cur.wake?.();
  }

  async #write(sample: S): Promise<void> {
    let input: ShardSampleInput;
    try {
      // Bad input (encoding failure, invalid key) fails this write only: nothing was written yet.
      input = this.#options.encode ? this.#options.encode(sample) : sample as ShardSampleInput;
      TarWriter.checkSample(input.__key__, input.files);
    } catch (err) {
      if (err instanceof Error) harmless.add(err);
      throw err;
    }
    let cur = this.#cur;
    if (cur && (cur.count >= this.#maxcount || cur.tar.offset >= this.#maxsize)) {
      await this.#closeShard();
      cur = undefined;
    }
    cur ??= this.#open();
    const { offset, size } = cur.tar.writeSample(input.__key__, input.files);
    cur.count++;
    this.#options.onSample?.({ shard: cur.key, key: input.__key__, offset, size, sample });
    // Small samples go to the store in batches: a chunk per sample costs a stream enqueue, a
    // hash update and a read on the other side, more than writing the sample itself.
    if (cur.tar.untaken >= this.#batch) this.#send(cur, cur.tar.take());
    if (cur.error === undefined && !(cur.controller.desiredSize! > 0)) {
      await new Promise<void>((resolve) => (cur.wake = resolve));
    }
    if (cur.error !== undefined) throw cur.error;
  }

  #open(): OpenShard {
    const index = this.#next++;
    const key = shardName(this.#pattern, index);
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const wake = () => {
      const w = shard.wake;
      shard.wake = undefined;
      w?.();
    };
    const body = new ReadableStream<Uint8Array>({
      start: (c) => void (controller = c),
      pull: wake,
      cancel: (reason) => {
        shard.error ??= reason ??
          new Error(`Cannot write shard "${key}": the store stopped reading`);
        wake();
      },
    }, { highWaterMark: this.#options.highWaterMark ?? 8 << 20, size: (c) => c.byteLength });
    const shard: OpenShard = {
      key,
      index,
      tar: new TarWriter({ mtime: this.#options.mtime }),
      hash: createHash("sha256"),
      count: 0,
      controller,
      put: Promise.resolve(),
    };
    shard.put = this.#store.put(key, body, { contentType: "application/x-tar" }).then(
      () => {},
      (err) => {
        shard.error ??= err;
        wake();
      },
    );
    this.#cur = shard;
    return shard;
  }

  #send(cur: OpenShard, chunks: Uint8Array[]): void {
    if (cur.error !== undefined) throw cur.error; // the store stopped reading or failed
    for (const chunk of chunks) {
      cur.hash.update(chunk);
      cur.controller.enqueue(chunk);
    }
  }

  async #closeShard(last = false): Promise<void> {
    const cur = this.#cur;
    if (!cur) return;
    this.#cur = undefined;
    this.#send(cur, cur.tar.finish());
    cur.controller.close();
    await cur.put;
    if (cur.error !== undefined) throw cur.error;
    const info: ShardInfo = {
      key: cur.key,
      index: cur.index,
      numSamples: cur.count,
      sizeBytes: cur.tar.offset,
      sha256: cur.hash.digest("hex"),
      last,
    };
    this.shards.push(info);
    await this.#options.onShardClose?.(info);
  }
}
