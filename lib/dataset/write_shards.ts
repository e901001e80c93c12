/**
 * {@linkcode writeShards}: typed samples to a rotating series of shards, each with its manifest,
 * in one pass: a ShardWriter whose hooks feed a {@linkcode ManifestBuilder}.
 *
 * @module
 */
import { displayable } from "../display/mod.ts";
import type { Schema } from "../schema/define_schema.ts";
import type { Store } from "../store/store.ts";
import { encodeSample } from "../shard/codecs/encode_sample.ts";
import { type ShardInfo, ShardWriter, type ShardWriterOptions } from "../shard/shard_writer.ts";
import { ManifestBuilder, type ManifestBuilderOptions } from "../manifest/manifest_builder.ts";
import type { ManifestHeader } from "../manifest/manifest_header.ts";
import { dirname, fragmentKey, shardKeys } from "../manifest/manifest_keys.ts";
import { existingCommit } from "../manifest/commit.ts";
import {
  COMPACT_THRESHOLD,
  type CompactionWarning,
  tryCompactIfNeeded,
} from "./compact_if_needed.ts";

/** Options for {@linkcode writeShards}. */
export interface WriteShardsOptions extends
  Pick<
    ShardWriterOptions<unknown>,
    "maxcount" | "maxsize" | "startIndex" | "mtime" | "highWaterMark"
  > {
  /** The samples' schema: validates and encodes them, and names the manifest fields. */
  // deno-lint-ignore no-explicit-any
  schema: Schema<any>;
  /** Manifest options; `false` writes shards without manifests. @default { background: true } */
  manifest?: ManifestBuilderOptions | false;
  /**
   * Compact the dataset's index once it holds this many fragments (see `compactIfNeeded`);
   * `false`: never. A compaction that fails fails nothing (the shards are committed): it is
   * reported in the result's `warnings`. @default 1000
   */
  compactAt?: number | false;
}

/** What {@linkcode writeShards} wrote. */
export interface WriteShardsResult {
  shards: ShardInfo[];
  /** The committed manifest headers, one per shard (empty without manifests). */
  manifests: ManifestHeader[];
  /** What went wrong beside a write that succeeded (a failed automatic compaction). */
  warnings?: CompactionWarning[];
}

/**
 * Writes samples to `pattern` shards (`ds/shard-%06d.tar`) with a manifest beside each.
 *
 * @example
 * ```ts
 * import { writeShards } from "./write_shards.ts";
 * import { defineSchema, f } from "../schema/mod.ts";
 * import { MemoryStore } from "../store/memory_store.ts";
 * const Sample = defineSchema({ name: "S", version: "1.0.0", fields: { label: f.str(), score: f.float() } });
 * const store = new MemoryStore();
 * const samples = [{ __key__: "a", label: "cat", score: 0.9 }, { __key__: "b", label: "dog", score: 0.2 }];
 * const { shards, manifests } = await writeShards(store, "ds/shard-%06d.tar", samples, { schema: Sample, maxcount: 1 });
 * if (shards.length !== 2 || manifests[1]?.num_samples !== 1) throw new Error("unexpected");
 * ```
 */
export async function writeShards(
  store: Store,
  pattern: string,
  samples: Iterable<unknown> | AsyncIterable<unknown>,
  options: WriteShardsOptions,
): Promise<WriteShardsResult> {
  const { schema, manifest = {}, compactAt = COMPACT_THRESHOLD, ...writerOptions } = options;
  const builder = manifest === false
    ? undefined
    : new ManifestBuilder(store, schema, { background: true, ...manifest });
  const closed: ShardInfo[] = [];
  const writer = new ShardWriter<unknown>(store, pattern, {
    ...writerOptions,
    encode: (s) => encodeSample(schema, s as Record<string, unknown>),
    ...(builder && {
      onSample: builder.onSample,
      onShardClose: (info: ShardInfo) => {
        closed.push(info);
        return builder.onShardClose(info);
      },
    }),
  });
  try {
    for await (const sample of samples) await writer.write(sample);
    const shards = await writer.close();
    const manifests = [...(await builder?.flush() ?? [])];
    const named = manifest ? manifest.dataset : false;
    const warnings: CompactionWarning[] = [];
    if (named !== false && compactAt !== false) {
      // Committed: a failed compaction is reported, never undoes the write.
      const datasets = new Set(shards.map((s) => named ?? dirname(s.key)));
      for (const d of datasets) {
        const warning = await tryCompactIfNeeded(store, d, { threshold: compactAt });
        if (warning) warnings.push(warning);
      }
    }
    return displayable("write_result", {
      shards,
      manifests,
      ...(warnings.length > 0 && { warnings }),
    });
  } catch (err) {
    builder?.abort();
    await builder?.flush().catch(() => {});
    // Uncommit first (manifest, fragment), so no committed manifest outlives its deleted tar:
    // every closed shard whose manifest commits this very tar (not another writer's).
    for (const { key: shard, sha256 } of closed) {
      if (!await existingCommit(store, shard, sha256).catch(() => undefined)) continue;
      await store.delete(shardKeys(shard).json);
      if (manifest && manifest.dataset !== false) {
        await store.delete(fragmentKey(manifest.dataset ?? dirname(shard), shard));
      }
      await store.delete(shardKeys(shard).parquet);
    }
    await writer.abort(err);
    throw err;
  }
}
