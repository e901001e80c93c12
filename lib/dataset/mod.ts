/**
 * Datasets: the shards of a folder taken together. {@linkcode writeShards} writes typed samples
 * as shards with a manifest beside each (ShardWriter plus ManifestBuilder, one pass); each
 * commit adds its shard to the dataset index.
 *
 * Reading: {@linkcode readIndex} (compacted generation + newer fragments, always current),
 * {@linkcode compactIndex}, {@linkcode rebuildIndex}, {@linkcode removeFromIndex},
 * {@linkcode listShards}, {@linkcode datasetStats} (exact sums of shard aggregates from the index
 * alone) and {@linkcode verifyDataset} (checksums, counts, offsets, Parquet presence and
 * integrity).
 *
 * Datasets are relocatable: a header names its Parquet file relative to the manifest, the index
 * names shards relative to the dataset, so a dataset copied or moved elsewhere, or opened from
 * any ancestor as the store root, reads the same.
 *
 * @example
 * ```ts
 * import { datasetStats, readIndex, writeShards } from "./mod.ts";
 * import { defineSchema, f } from "../schema/mod.ts";
 * import { MemoryStore } from "../store/memory_store.ts";
 *
 * const Labeled = defineSchema({
 *   name: "Labeled",
 *   version: "1.0.0",
 *   fields: { label: f.str() },
 * });
 * const store = new MemoryStore();
 * const samples = [{ __key__: "a", label: "cat" }, { __key__: "b", label: "dog" }];
 * await writeShards(store, "ds/shard-%06d.tar", samples, { schema: Labeled });
 * const index = await readIndex(store, "ds");
 * const stats = await datasetStats(store, "ds");
 * if (index.entries.length !== 1 || stats.num_samples !== 2) throw new Error("unexpected");
 * ```
 *
 * @module
 */
export {
  type DatasetIndex,
  type IndexEntry,
  readIndex,
  type ReadIndexOptions,
  scanIndex,
} from "./dataset_index.ts";
export {
  compactIndex,
  type CompactIndexOptions,
  type CompactIndexResult,
} from "./compact_index.ts";
export {
  type FieldColumns,
  type IndexColumns,
  indexColumnsFromHeaders,
  type IndexColumnsFromHeadersOptions,
} from "./index_columns.ts";
export {
  type IndexColumnsPart,
  readIndexColumns,
  type ReadIndexColumnsOptions,
} from "./read_index_columns.ts";
export {
  COMPACT_THRESHOLD,
  compactIfNeeded,
  type CompactIfNeededOptions,
  type CompactionWarning,
  tryCompactIfNeeded,
} from "./compact_if_needed.ts";
export { rebuildIndex, type RebuildIndexOptions } from "./rebuild_index.ts";
export { removeFromIndex, type RemoveFromIndexOptions } from "./remove_from_index.ts";
export { listShards, type ShardListing } from "./list_shards.ts";
export { type DatasetStats, datasetStats, type DatasetStatsOptions } from "./dataset_stats.ts";
export { datasetNotFound } from "./dataset_not_found.ts";
export {
  type ShardProblem,
  type ShardProblemCode,
  verifyDataset,
  type VerifyDatasetOptions,
  type VerifyReport,
} from "./verify_dataset.ts";
export { writeShards, type WriteShardsOptions, type WriteShardsResult } from "./write_shards.ts";
