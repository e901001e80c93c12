/**
 * {@linkcode ManifestBuilder}: builds and commits the manifest of every shard a ShardWriter
 * writes, fed by the writer's hooks while the samples stream through (no second pass).
 *
 * @module
 */
import type { ManifestField } from "../schema/manifest_field.ts";
import type { Store } from "../store/store.ts";
import {
  type AggregateOptions,
  builtinAggregatesOnly,
  type TimestampSummary,
} from "./aggregate.ts";
import { extremeIso } from "./timestamp_aggregate.ts";
import { ManifestError } from "./manifest_error.ts";
import {
  encodeManifestHeader,
  MANIFEST_VERSION,
  type ManifestHeader,
  type Provenance,
} from "./manifest_header.ts";
import type { ManifestParquetOptions } from "./manifest_parquet.ts";
import { ShardAccumulator } from "./_row_capture.ts";
import { ShardEncoding } from "./_encode_pool.ts";
import type { EncodedShard } from "./_encode_shard.ts";
import { dirname, shardKeys } from "./manifest_keys.ts";
import { commitHeader, existingCommit, writeFragment } from "./commit.ts";
import { sha256Hex as sha256HexSync } from "../util/sha256.ts";

/** A shard being written: its rows so far and their encoding. */
interface OpenShard {
  acc: ShardAccumulator;
  encoding: ShardEncoding;
}

/** What the builder needs of a schema (a `Schema` from `defineSchema` fits). */
export interface ManifestSchema {
  name: string;
  version: string;
  manifestFields: readonly ManifestField[];
}

/** A sample as the ShardWriter's `onSample` hook reports it. */
export interface ManifestSampleInfo {
  /** Store key of the shard being written. */
  shard: string;
  key: string;
  /** Byte offset of the sample's first tar header block in the shard. */
  offset: number;
  /** Bytes of the sample's tar members, headers and padding included. */
  size: number;
  /** The sample: an object whose manifest fields are read by name (others are ignored). */
  sample: unknown;
}

/** A closed shard as the ShardWriter's `onShardClose` hook reports it. */
export interface ManifestShardInfo {
  key: string;
  index?: number;
  numSamples: number;
  sizeBytes: number;
  /** sha256 of the tar, hex. */
  sha256: string;
  /** No shard follows this one (the writer was closed): its encoding has nothing to overlap. */
  last?: boolean;
}

/** Options for {@linkcode ManifestBuilder}. */
export interface ManifestBuilderOptions extends AggregateOptions, ManifestParquetOptions {
  /** Provenance recorded in every header. @default all null / empty */
  provenance?: Partial<Provenance>;
  /**
   * The dataset whose index gets a fragment per committed shard (`<dataset>/_index/...`);
   * `false` writes no fragment. @default the shard's folder
   */
  dataset?: string | false;
  /** Clock for `created_at` (tests pass a fixed one). @default () => new Date() */
  now?: () => Date;
  /**
   * Commit in the background: `onShardClose` returns at once and the writer goes on with the
   * next shard while the encoding (see `encodeIn`) and the store work;
   * {@linkcode ManifestBuilder.flush} waits for the commits and throws the first failure. At
   * most two commits are pending at a time.
   * @default false
   */
  background?: boolean;
  /**
   * Where each shard's aggregates, Parquet bytes and their sha256 are computed: `"auto"` in a
   * worker thread shared by the process (so the thread writing the shards only pays the
   * per-sample capture) once that worker is up (it starts at the first shard that needs it):
   * each batch of 4096 rows goes there as soon as it is captured, so a commit only waits for the
   * last batch; a shard of fewer rows goes there at its commit if it has 1024 rows or more and
   * is not the writer's last (`last`: nothing follows it to overlap with), else it is encoded on
   * the calling thread; `"worker"` in the worker whenever one can start; `"thread"` on the
   * calling thread at the commit. The bytes and aggregates are the same either way. Fields
   * whose aggregate was registered at run time (`registerAggregate`) always encode on the
   * calling thread.
   * @default "auto"
   */
  encodeIn?: "auto" | "worker" | "thread";
}

/**
 * Builds per-shard manifests. Plug its bound `onSample` / `onShardClose` into a ShardWriter; on
 * close of each shard it writes `X.manifest.parquet`, then `X.manifest.json` create-only (its
 * presence commits the shard), then the dataset index fragment. Without a ShardWriter, call
 * `onSample` per sample and {@linkcode ManifestBuilder.commit} per shard (after its tar is stored).
 *
 * @example
 * ```ts
 * import { ManifestBuilder } from "./manifest_builder.ts";
 * import { MemoryStore } from "../store/memory_store.ts";
 * const store = new MemoryStore();
 * const schema = {
 *   name: "Example", version: "1.0.0",
 *   manifestFields: [{ name: "label", role: "categorical", type: "str", list: false, nullable: false }],
 * } as const;
 * const builder = new ManifestBuilder(store, { ...schema, manifestFields: [...schema.manifestFields] });
 * builder.onSample({ shard: "ds/s-000000.tar", key: "a", offset: 0, size: 1024, sample: { label: "cat" } });
 * const header = await builder.commit({ key: "ds/s-000000.tar", numSamples: 1, sizeBytes: 10240, sha256: "00" });
 * if (header.aggregates.label?.type !== "categorical") throw new Error("unexpected");
 * if (!await store.head("ds/s-000000.manifest.json")) throw new Error("not committed");
 * ```
 */
export class ManifestBuilder {
  readonly #store: Store;
  readonly #schema: ManifestSchema;
  readonly #options: ManifestBuilderOptions;
  readonly #open = new Map<string, OpenShard>();
  /** The shard of the previous sample and its accumulator (skips the map lookup per sample). */
  #lastShard: string | undefined;
  #lastAcc: ShardAccumulator | undefined;
  /** Samples in the last shard committed: the next one's likely size. */
  #lastCount: number | undefined;
  readonly #committed: ManifestHeader[] = [];
  #pending: Promise<void>[] = [];
  #failure: { error: unknown } | undefined;

  constructor(store: Store, schema: ManifestSchema, options: ManifestBuilderOptions = {}) {
    this.#store = store;
    this.#schema = schema;
    this.#options = options;
  }

  /** Headers of the shards committed so far, in commit order. */
  get committed(): readonly ManifestHeader[] {
    return this.#committed;
  }

  /** Records one written sample (the ShardWriter's `onSample` hook; bound). */
  onSample = (info: ManifestSampleInfo): void => {
    let acc = this.#lastShard === info.shard ? this.#lastAcc : undefined;
    if (!acc) {
      acc = this.#openShard(info.shard).acc;
      this.#lastShard = info.shard;
      this.#lastAcc = acc;
    }
    const sample = info.sample !== null && typeof info.sample === "object" ? info.sample : {};
    acc.add(info.key, info.offset, info.size, sample as Record<string, unknown>);
  };

  /** The open shard `key` (opened now if it was not). */
  #openShard(key: string): OpenShard {
    let open = this.#open.get(key);
    if (!open) {
      const encoding = new ShardEncoding(this.#options.encodeIn ?? "auto");
      const fields = this.#schema.manifestFields;
      // Rows in batches as they fill, unless an aggregate was registered at run time: its
      // `addColumn` is given the shard's whole column.
      const batched = builtinAggregatesOnly(fields);
      const acc = new ShardAccumulator(
        fields,
        this.#options,
        this.#lastCount,
        batched ? (rows) => encoding.add(rows) : undefined,
      );
      open = { acc, encoding };
      this.#open.set(key, open);
    }
    return open;
  }

  /**
   * The ShardWriter's `onShardClose` hook (bound): commits the shard's manifest, or with
   * `background` schedules the commit and returns.
   */
  onShardClose = async (info: ManifestShardInfo): Promise<void> => {
    if (!this.#options.background) return void await this.commit(info);
    this.#rethrow();
    const done = this.commit(info).then(
      () => {},
      (error) => void (this.#failure ??= { error }),
    );
    this.#pending.push(done);
    if (this.#pending.length > 2) await this.#pending.shift();
    this.#rethrow();
  };

  /**
   * Forgets the shards being written (their writer failed or was aborted: they will not be
   * committed), and frees what their encoding holds in the encode worker.
   */
  abort(): void {
    for (const { encoding } of this.#open.values()) encoding.discard();
    this.#open.clear();
    this.#lastShard = this.#lastAcc = undefined;
  }

  /** Waits for background commits; throws the first failure. Resolves to all committed headers. */
  async flush(): Promise<readonly ManifestHeader[]> {
    const pending = this.#pending;
    this.#pending = [];
    await Promise.all(pending);
    this.#rethrow();
    return this.#committed;
  }

  #rethrow(): void {
    if (this.#failure) throw this.#failure.error;
  }

  /**
   * Writes `X.manifest.parquet`, then `X.manifest.json` create-only (committing the shard), then
   * the index fragment; resolves to the committed header. Rejects with a {@linkcode ManifestError}
   * `"invalid_state"` when the sample count differs from what was recorded, `"already_committed"`
   * when another tar was committed under the same key.
   */
  async commit(info: ManifestShardInfo): Promise<ManifestHeader> {
    const { acc, encoding } = this.#openShard(info.key);
    this.#open.delete(info.key);
    if (this.#lastAcc === acc) this.#lastShard = this.#lastAcc = undefined;
    this.#lastCount = acc.length;
    if (acc.length !== info.numSamples) {
      encoding.discard();
      throw new ManifestError(
        "invalid_state",
        `Cannot commit manifest of "${info.key}": ${acc.length} samples recorded, the shard has ${info.numSamples}`,
        { shard: info.key },
      );
    }
    const dataset = this.#options.dataset ?? dirname(info.key);
    // The encoding and the look for an earlier commit at once (a rerun of a committed shard
    // leaves its manifest as it is, and refuses a different tar; that error comes first).
    const looked = existingCommit(this.#store, info.key, info.sha256);
    let encoded: Promise<EncodedShard>;
    try {
      encoded = encoding.finish(acc.rows(), info.last);
    } catch (err) {
      encoding.discard();
      encoded = Promise.reject(err);
    }
    encoded.catch(() => {}); // awaited below unless the shard was committed already
    const existing = await looked;
    if (existing) {
      await writeFragment(this.#store, info.key, existing, dataset);
      this.#committed.push(existing);
      return existing;
    }
    const keys = shardKeys(info.key);
    const rows = acc.length;
    const { aggregates, parquet, sha256 } = await encoded;
    const header = this.#header(info, aggregates);
    header.parquet = {
      key: keys.parquetName, // relative to the manifest: the dataset can move
      size_bytes: parquet.length,
      sha256,
      num_rows: rows,
    };
    await this.#store.put(keys.parquet, parquet);
    const committed = await commitHeader(
      this.#store,
      info.key,
      encodeManifestHeader(header),
      header,
      dataset,
    );
    this.#committed.push(committed);
    return committed;
  }

  #header(info: ManifestShardInfo, aggregates: ManifestHeader["aggregates"]): ManifestHeader {
    const fields = this.#schema.manifestFields;
    const prov = this.#options.provenance ?? {};
    const header: ManifestHeader = {
      manifest_version: MANIFEST_VERSION,
      shard_id: shardKeys(info.key).base,
      schema_type: this.#schema.name,
      schema_version: this.#schema.version,
      num_samples: info.numSamples,
      size_bytes: info.sizeBytes,
      created_at: (this.#options.now?.() ?? new Date()).toISOString(),
      checksum_sha256: info.sha256,
      provenance: {
        source_job_id: prov.source_job_id ?? null,
        parent_shards: [...(prov.parent_shards ?? [])],
        pipeline_version: prov.pipeline_version ?? null,
        code_hash: prov.code_hash ?? null,
      },
      fields: fields.map((f) => ({ ...f })),
      aggregates,
    };
    const times = fields.filter((f) => f.role === "timestamp")
      .map((f) => aggregates[f.name] as TimestampSummary);
    if (times.length) {
      header.time_min = extremeIso(times.map((t) => t.min), -1);
      header.time_max = extremeIso(times.map((t) => t.max), 1);
    }
    return header;
  }
}

/** Hex sha256 of bytes (resolves at once: kept async for callers of the first version). */
export function sha256Hex(bytes: Uint8Array): Promise<string> {
  return Promise.resolve(sha256HexSync(bytes));
}
