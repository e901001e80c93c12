/**
 * One output shard of a view: its samples copied byte for byte from their source shards (ranged
 * reads coalesced by {@linkcode readSamples}, no decoding) and committed with its manifest, whose
 * provenance names the view and the shards the samples came from. The one copy both ways of
 * materializing run: in the calling process, shard after shard, and in a view job's tasks
 * (private to the query room).
 *
 * @module
 */
// Imported file by file, not through the areas' mod.ts: a view job's bundle holds this module,
// and should hold no more than it uses.
import { removeFromIndex } from "../dataset/remove_from_index.ts";
import {
  ManifestBuilder,
  type ManifestBuilderOptions,
  type ManifestSchema,
} from "../manifest/manifest_builder.ts";
import { shardKeys, tombstoneKey } from "../manifest/manifest_keys.ts";
import { type ShardInfo, shardName, ShardWriter } from "../shard/shard_writer.ts";
import type { TarSample } from "../shard/tar_sample.ts";
import type { Store } from "../store/store.ts";
import { StoreError } from "../store/store_error.ts";
import { QueryError } from "./query_error.ts";
import { readSamples } from "./read_samples.ts";
import type { ViewRow } from "./_view_plan.ts";

/** Options of {@linkcode copyViewShard}. */
export interface CopyViewShardOptions {
  /** Shard name pattern (`%06d`) and the number it gets: the shard's key. */
  pattern: string;
  index: number;
  /** The view's dataset (its index gets the shard). */
  output: string;
  /** The view's hash, for the provenance (`source_job_id: "view:<hash>"`). */
  hash: string;
  schema: ManifestSchema;
  /** GETs at once. @default 8 */
  concurrency?: number;
  /** Where the manifest is encoded. @default "auto" */
  encodeIn?: ManifestBuilderOptions["encodeIn"];
  /** Stops the copy: nothing of the shard stays. */
  signal?: AbortSignal;
}

/** Samples read per batch of ranged reads. */
const BATCH = 1000;

/**
 * Copies `rows` into one shard and commits it with its manifest (and index fragment); on
 * failure nothing of it stays. A source shard gone is a {@linkcode QueryError} `not_found`
 * naming it.
 */
export async function copyViewShard(
  store: Store,
  rows: readonly ViewRow[],
  options: CopyViewShardOptions,
): Promise<ShardInfo> {
  const { schema, output, signal } = options;
  const names = schema.manifestFields.map((f) => f.name);
  type Item = { raw: TarSample; fields: Record<string, unknown> };
  const builder = new ManifestBuilder(store, schema, {
    background: false,
    dataset: output,
    encodeIn: options.encodeIn,
    provenance: {
      source_job_id: `view:${options.hash}`,
      parent_shards: [...new Set(rows.map((r) => r.shard))],
      pipeline_version: null,
      code_hash: null,
    },
  });
  // One shard whatever its size: the plan bounded its count and bytes.
  const writer = new ShardWriter<Item>(store, options.pattern, {
    startIndex: options.index,
    maxcount: Infinity,
    maxsize: Infinity,
    encode: (r) => ({ __key__: r.raw.__key__, files: r.raw.files }),
    onSample: (info) => builder.onSample({ ...info, sample: info.sample.fields }),
    onShardClose: (info) => builder.onShardClose(info),
  });
  try {
    for (let start = 0; start < rows.length; start += BATCH) {
      signal?.throwIfAborted();
      const batch = rows.slice(start, start + BATCH);
      const raw = await readSamples(store, batch, { concurrency: options.concurrency ?? 8 })
        .catch((err) => {
          if (!(err instanceof StoreError && err.code === "not_found" && err.key)) throw err;
          throw new QueryError(
            "not_found",
            `Cannot copy the samples of view ${options.hash}: source shard "${err.key}" is gone`,
            { shard: err.key, cause: err },
          );
        });
      for (let j = 0; j < raw.length; j++) {
        const values = batch[j]!.values;
        const fields: Record<string, unknown> = {};
        names.forEach((name, f) => (fields[name] = values[f]));
        await writer.write({ raw: raw[j]!, fields });
      }
    }
    signal?.throwIfAborted();
    const [shard] = await writer.close();
    await builder.flush();
    return shard!;
  } catch (err) {
    builder.abort();
    await writer.abort(err);
    // A commit that failed half-way (its manifest written, its index fragment not) is undone.
    const key = shardName(options.pattern, options.index);
    await uncommitViewShards(store, output, [key]).catch(() => {});
    throw err;
  }
}

/**
 * Takes view shards out again: out of the index, then their manifests, then the data, then the
 * tombstones (the view's dataset held nothing else when its copy began).
 */
export async function uncommitViewShards(
  store: Store,
  output: string,
  shards: readonly string[],
): Promise<void> {
  for (const shard of shards) {
    const keys = shardKeys(shard);
    await removeFromIndex(store, shard, { dataset: output });
    await store.delete(keys.json);
    await Promise.all([store.delete(keys.parquet), store.delete(shard)]);
    await store.delete(tombstoneKey(output, shard));
  }
}
