/**
 * Query: a dataset's manifests to a nodejs-polars DataFrame, fast because shards that cannot
 * match are never opened.
 *
 * - {@linkcode query}: `where` as SQL or a filter object, one planner ({@linkcode Predicate}):
 *   parse ({@linkcode parseWhere}, DuckDB's own parser plus a whitelist), check against the
 *   fields ({@linkcode FieldCatalog}), prune from the index columns ({@linkcode pruneShards}),
 *   scan the surviving Parquet manifests with a sandboxed DuckDB. Returns a
 *   {@linkcode QueryResult}: `df`, `locations`, `explain`.
 * - {@linkcode countRows}: counts (total or per categorical value), from the aggregates alone for
 *   shards whose every row matches.
 *
 * @example
 * ```ts
 * import { query } from "./mod.ts";
 * import { MemoryStore } from "../store/mod.ts";
 * import { defineSchema, f } from "../schema/mod.ts";
 * import { writeShards } from "../dataset/mod.ts";
 * const S = defineSchema({ name: "S", version: "1.0.0", fields: { label: f.str(), score: f.float() } });
 * const store = new MemoryStore();
 * const samples = Array.from({ length: 8 }, (_, i) => ({ __key__: `k${i}`, label: i % 2 ? "dog" : "cat", score: i / 8 }));
 * await writeShards(store, "pets/shard-%06d.tar", samples, { schema: S, maxcount: 4 });
 * const r = await query(store, "pets", { where: { label: "dog", score: { gt: 0.5 } } });
 * console.log(r.toString());
 * ```
 *
 * @module
 */
export { countRows, type CountRowsOptions, type CountRowsResult } from "./count_rows.ts";
export { type FieldCatalog, fieldCatalog, type FieldInfo } from "./field_catalog.ts";
export {
  compileFilter,
  type FieldFilter,
  type FilterValue,
  type WhereFilter,
} from "./filter_object.ts";
export { formatExplain, type QueryExplain } from "./explain.ts";
export { getSample, type GetSampleOptions, type GetSampleStats } from "./get_sample.ts";
export {
  JOB_ABOVE,
  materialize,
  type MaterializeOptions,
  type MaterializeResult,
  type ViewJobOptions,
  viewKey,
  type ViewQuery,
  type ViewRecord,
} from "./materialize.ts";
export { parseWhere } from "./parse_where.ts";
export {
  ALLOWED_FUNCTIONS,
  type CompareOp,
  type Literal,
  type Operand,
  type Predicate,
  predicateToSql,
} from "./predicate.ts";
export {
  PRUNE_RULES,
  type PruneResult,
  type PruneRule,
  pruneShards,
  type PruneShardsOptions,
} from "./prune_shards.ts";
export { query, type QueryOptions, QueryResult, type SampleLocation } from "./query.ts";
export { readSamples, type ReadSamplesOptions } from "./read_samples.ts";
export { QueryError, type QueryErrorCode } from "./query_error.ts";
