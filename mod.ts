/**
 * shardline: process and query large sharded datasets without running infrastructure.
 *
 * This module exports what notebooks and scripts use: schemas, stores, reading and writing
 * shards, manifests and dataset statistics, jobs, queries, notebook display. Backends and
 * extension points (executors, codecs, aggregates, the task runner, the Parquet writer) are in
 * the subpath modules (`@shardline/shardline/schema`, `/store`, `/shard`, `/manifest`, `/dataset`,
 * `/parquet`, `/job`, `/exec`, `/query`, `/notebook`, `/display`, `/trigger`, `/util`: see
 * `deno.json`).
 *
 * A tour, bottom to top:
 * - **schema**: {@linkcode defineSchema} with the field builders {@linkcode f}: typed samples
 *   (zod) whose fields declare their manifest role; atdata schema records; a schema registry in
 *   the store ({@linkcode publishSchema}, {@linkcode loadSchema}).
 * - **shard**: streaming WebDataset tar shards: {@linkcode scanSamples} (with byte offsets),
 *   {@linkcode ShardWriter} (rotation), codecs by extension ({@linkcode encodeSample},
 *   {@linkcode decodeSample}), brace patterns ({@linkcode expandBraces}).
 * - **store**: one {@linkcode Store} interface over a local folder (the default) and S3 / R2
 *   ({@linkcode openStore}).
 * - **manifest**: a manifest beside every shard ({@linkcode readManifest}: header, aggregates,
 *   per-sample rows).
 * - **dataset**: shards with manifests in one pass ({@linkcode writeShards}), the dataset index
 *   ({@linkcode readIndex}), dataset statistics ({@linkcode datasetStats}) and verification
 *   ({@linkcode verifyDataset}).
 * - **job** and **exec**: {@linkcode defineJob}, then {@linkcode submit} (fire and forget, local
 *   process pool by default), {@linkcode status} and {@linkcode awaitResults} from the store.
 * - **trigger**: rules that run a job on each new shard as it lands ({@linkcode addTrigger},
 *   {@linkcode listTriggers}, {@linkcode removeTrigger}), fed by R2 event notifications through
 *   the dispatcher, or by {@linkcode watchTriggers} (the pull path, backfill).
 * - **query**: {@linkcode query} a dataset's manifests into a nodejs-polars DataFrame (`where` as
 *   SQL or a filter object; shards pruned from the index), with sample locations and an explain.
 * - **notebook**: in Jupyter (Deno kernel) schemas, stats, manifests, jobs and query results render
 *   as HTML; charts from the aggregates ({@linkcode plotHistogram}, {@linkcode plotCounts},
 *   {@linkcode plotShardSpread}, {@linkcode plotJobProgress}) display inline and save as SVG or
 *   PNG; {@linkcode progressDisplay} shows a job's progress in place, {@linkcode progressBar} on
 *   a terminal.
 *
 * @example
 * ```ts
 * import { defineSchema, f, MemoryStore, scanSamples, writeShards } from "./mod.ts";
 *
 * const Scored = defineSchema({
 *   name: "Scored",
 *   version: "1.0.0",
 *   fields: { label: f.str(), score: f.float() },
 * });
 * const store = new MemoryStore();
 * const samples = [
 *   { __key__: "a", label: "cat", score: 0.9 },
 *   { __key__: "b", label: "dog", score: 0.4 },
 * ];
 * await writeShards(store, "scored/shard-%06d.tar", samples, { schema: Scored });
 * const keys = [];
 * for await (const s of scanSamples(await store.get("scored/shard-000000.tar"))) keys.push(s.__key__);
 * if (keys.join() !== "a,b") throw new Error(keys.join());
 * ```
 *
 * @module
 */

// schema: typed samples and the schema registry (more in ./lib/schema/mod.ts: atdata records,
// compatibility, field types)
export {
  defineSchema,
  f,
  type Infer,
  listSchemas,
  loadSchema,
  NDArray,
  publishSchema,
  type SampleOf,
  type Schema,
  SchemaError,
} from "./lib/schema/mod.ts";

// store: where datasets live (more in ./lib/store/mod.ts: S3Store, URL schemes, options)
export { LocalStore, MemoryStore, openStore, type Store, StoreError } from "./lib/store/mod.ts";

// shard: reading and writing WebDataset tar shards (codecs, tar internals: ./lib/shard/mod.ts)
export {
  decodeSample,
  decodeSamples,
  encodeSample,
  expandBraces,
  scanSamples,
  ShardError,
  ShardWriter,
  type TarSample,
} from "./lib/shard/mod.ts";

// manifest: one shard's manifest (builder, aggregates, Parquet layer: ./lib/manifest/mod.ts)
export {
  BloomFilter,
  type Histogram,
  HistogramAccumulator,
  ManifestError,
  type ManifestHeader,
  mergeHistograms,
  readManifest,
  type ShardManifest,
} from "./lib/manifest/mod.ts";

// dataset: shards taken together (index internals, index columns: ./lib/dataset/mod.ts)
export {
  compactIndex,
  type DatasetStats,
  datasetStats,
  listShards,
  readIndex,
  verifyDataset,
  writeShards,
} from "./lib/dataset/mod.ts";

// job and exec: defining, submitting and following jobs (executors, the task runner, specs:
// ./lib/job/mod.ts, ./lib/exec/mod.ts)
export {
  awaitResults,
  cancelJob,
  defineJob,
  JobError,
  type JobStatus,
  listJobs,
  status,
} from "./lib/job/mod.ts";
export { retryJob, submit, type SubmitOptions } from "./lib/exec/mod.ts";

// trigger: new shards processed on arrival (rules in the store; R2 events and the pull path;
// the events hook and matching internals: ./lib/trigger/mod.ts)
export {
  addTrigger,
  listTriggers,
  removeTrigger,
  type TriggerInit,
  type TriggerRule,
  watchTriggers,
} from "./lib/trigger/mod.ts";

// query: manifests to DataFrames, samples by key
export {
  compileFilter,
  countRows,
  type CountRowsOptions,
  type CountRowsResult,
  type FieldFilter,
  type FilterValue,
  formatExplain,
  getSample,
  type GetSampleOptions,
  type GetSampleStats,
  materialize,
  type MaterializeOptions,
  type MaterializeResult,
  query,
  QueryError,
  type QueryErrorCode,
  type QueryExplain,
  type QueryOptions,
  QueryResult,
  readSamples,
  type ReadSamplesOptions,
  type SampleLocation,
  type ViewQuery,
  type ViewRecord,
  type WhereFilter,
} from "./lib/query/mod.ts";

// a wrong-kind argument at the front door (notebooks do not type-check)
export { ArgumentError } from "./lib/util/mod.ts";

// notebook: Jupyter display (importing this registers the renderers), plots, progress
export {
  Chart,
  type ChartOptions,
  type DisplayFunction,
  formatDatasetStats,
  formatSeconds,
  type HistogramBin,
  histogramBins,
  jobProgress,
  plotCounts,
  type PlotCountsOptions,
  PlotError,
  type PlotErrorCode,
  plotHistogram,
  plotJobProgress,
  plotShardSpread,
  previewSamples,
  type PreviewSamplesOptions,
  progressBar,
  progressDisplay,
  type ProgressDisplayOptions,
  type ProgressPoint,
  SamplePreview,
  type ShardSpread,
  shardSpread,
  sparkline,
  type ToPngOptions,
} from "./lib/notebook/mod.ts";
