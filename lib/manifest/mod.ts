/**
 * Manifests: the metadata beside every shard (the dataset index rolled up from them is in
 * `lib/dataset/`), so that queries and plots decide which shards matter without listing or
 * opening shards.
 *
 * For shard `X.tar`, a {@linkcode ManifestBuilder} plugged into the ShardWriter's hooks writes,
 * while the samples stream through (no second pass):
 *
 * - `X.manifest.parquet`: one row per sample: `__key__`, `__offset__` (the real tar byte offset:
 *   a ranged read of `[__offset__, __offset__ + __size__)` is a tar of exactly that sample),
 *   `__size__`, and each manifest field in its Parquet type (VARCHAR, DOUBLE, BIGINT, BOOLEAN,
 *   TIMESTAMP WITH TIME ZONE, LIST<VARCHAR>). Encoded by shardline's own Parquet writer (typed
 *   columns, no per-value native calls: {@linkcode writeManifestParquet}), for a ManifestBuilder
 *   in a worker thread shared by the process (`encodeIn`); DuckDB reads them.
 * - `X.manifest.json`, written last and create-only: its presence commits the shard. The
 *   {@linkcode ManifestHeader} (atdata-compatible keys plus `checksum_sha256`, `time_min`/`time_max`,
 *   the fields and the Parquet's own checksum) and the aggregates, one per field, registered by
 *   role ({@linkcode registerAggregate}): categorical value counts with an overflow bucket,
 *   numeric bounds/mean/histogram on dataset-wide edges ({@linkcode HistogramAccumulator}), set
 *   items or a {@linkcode BloomFilter}, timestamp bounds.
 * - `<dataset>/_index/shards/X.json`: the shard's index fragment.
 *
 * `writeShards` (`lib/dataset/`) does it all for typed samples: ShardWriter plus ManifestBuilder,
 * one pass.
 *
 * Reading: {@linkcode readManifest} (shardline's and atdata's manifests; the schema-evolution
 * policy is in its module doc) and {@linkcode readManifestParquet}.
 *
 * A header names its Parquet file relative to the manifest, so a manifest moved with its shard
 * reads the same.
 *
 * @example
 * ```ts
 * import { ManifestBuilder, readManifest } from "./mod.ts";
 * import { datasetStats } from "../dataset/mod.ts";
 * import { MemoryStore } from "../store/memory_store.ts";
 *
 * const store = new MemoryStore();
 * const schema = {
 *   name: "Example",
 *   version: "1.0.0",
 *   manifestFields: [
 *     { name: "label", role: "categorical", type: "str", list: false, nullable: false },
 *     { name: "confidence", role: "numeric", type: "float", list: false, nullable: false },
 *   ] as const,
 * };
 * const builder = new ManifestBuilder(store, { ...schema, manifestFields: [...schema.manifestFields] });
 * // What a ShardWriter reports through its hooks:
 * const shard = "ds/shard-000000.tar";
 * builder.onSample({ shard, key: "a", offset: 0, size: 1536, sample: { label: "cat", confidence: 0.95 } });
 * builder.onSample({ shard, key: "b", offset: 1536, size: 1536, sample: { label: "dog", confidence: 0.5 } });
 * await builder.onShardClose({ key: shard, numSamples: 2, sizeBytes: 10240, sha256: "ab" });
 *
 * const manifest = await readManifest(store, shard);
 * console.log(manifest.rows?.map((r) => [r.__key__, r.__offset__, r.label]));
 * const stats = await datasetStats(store, "ds");
 * console.log(stats.num_samples, stats.fields.label);
 * ```
 *
 * @module
 */
export {
  type Accumulator,
  type AggregateKind,
  aggregateKind,
  type AggregateOptions,
  type AggregateSummary,
  type CategoricalSummary,
  type ManifestValue,
  type NumericSummary,
  registerAggregate,
  type SetSummary,
  type TimestampSummary,
} from "./aggregate.ts";
export { categoricalAggregate } from "./categorical_aggregate.ts";
export { numericAggregate } from "./numeric_aggregate.ts";
export { setAggregate } from "./set_aggregate.ts";
export { timestampAggregate } from "./timestamp_aggregate.ts";
export {
  decimalBucket,
  type Histogram,
  HistogramAccumulator,
  mergeHistograms,
} from "./histogram.ts";
export { BloomFilter, type BloomFilterJson, type BloomFilterOptions } from "./bloom_filter.ts";
export { ManifestError, type ManifestErrorCode } from "./manifest_error.ts";
export {
  encodeManifestHeader,
  hasRealOffsets,
  MANIFEST_VERSION,
  type ManifestHeader,
  type ParquetInfo,
  parseManifestHeader,
  type Provenance,
} from "./manifest_header.ts";
export {
  type ManifestColumns,
  type ManifestParquetOptions,
  type ParquetColumn,
  type ParquetRows,
  readManifestParquet,
  writeManifestParquet,
} from "./manifest_parquet.ts";
export {
  ManifestBuilder,
  type ManifestBuilderOptions,
  type ManifestSampleInfo,
  type ManifestSchema,
  type ManifestShardInfo,
  sha256Hex,
} from "./manifest_builder.ts";
export {
  type ManifestRow,
  readManifest,
  type ReadManifestOptions,
  type ShardManifest,
} from "./read_manifest.ts";
