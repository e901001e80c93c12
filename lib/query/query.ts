/**
 * {@linkcode query}: a dataset's manifests to a nodejs-polars DataFrame, reading only the
 * Parquet manifests of shards whose aggregates say they could match.
 *
 * Steps: read the index; parse and check the `where` (SQL or filter object, one predicate
 * tree); prune shards from the index alone; fetch the survivors' Parquet manifests into the
 * local cache (through the Store); scan them with a sandboxed DuckDB running the SQL printed from
 * the checked tree; build the DataFrame with explicit dtypes.
 *
 * @module
 */
import { checkName, checkStore } from "../util/mod.ts";
import type pl from "nodejs-polars";
import { type DisplayBundle, JUPYTER_DISPLAY, renderDisplay } from "../display/mod.ts";
import type { Store } from "../store/mod.ts";
import { checkField } from "./_check_predicate.ts";
import { locationsOf } from "./_locations.ts";
import { plan } from "./_plan.ts";
import { defaultCacheDir } from "./_sandbox.ts";
import { scanManifests } from "./_scan.ts";
import { formatExplain, type QueryExplain } from "./explain.ts";
import type { WhereFilter } from "./filter_object.ts";
import { QueryError } from "./query_error.ts";

/** Options for {@linkcode query}. */
export interface QueryOptions {
  /**
   * Which rows: a SQL boolean expression over manifest fields
   * (`label = 'dog' AND confidence > 0.9 AND list_contains(tags, 'outdoor')`) or a filter
   * object (`{ label: "dog", confidence: { gt: 0.9 }, tags: { has: "outdoor" } }`).
   * @default every row
   */
  where?: string | WhereFilter;
  /** Fields to return besides `__key__`, `__shard__`, `__offset__`, `__size__`. @default all */
  select?: readonly string[];
  /** Sort keys, manifest fields: `"confidence DESC"`, `"__key__"`. @default the scan's order */
  orderBy?: string | readonly string[];
  /** Most rows returned. @default all */
  limit?: number;
  /** Local folder of cached Parquet manifests. @default `<os tmpdir>/shardline/query-cache` */
  cacheDir?: string;
  /** Manifests fetched from the store at once. @default 16 */
  concurrency?: number;
}

/** Where a sample lives: one ranged read of `[offset, offset + size)` of `shard` is its tar. */
export interface SampleLocation {
  /** Store key of the shard's tar. */
  shard: string;
  key: string;
  /** Tar byte offset; null for atdata's manifests (no real offsets). */
  offset: number | null;
  size: number;
}

/** What {@linkcode query} returns. */
export class QueryResult {
  /** One row per matching sample: `__key__`, `__shard__`, `__offset__`, `__size__`, fields. */
  readonly df: pl.DataFrame;
  /** What the query did (JSON-ready). */
  readonly explain: QueryExplain;
  #locations?: SampleLocation[];

  constructor(df: pl.DataFrame, explain: QueryExplain) {
    this.df = df;
    this.explain = explain;
  }

  /** Jupyter rendering: the first rows and the explain report (see `lib/notebook/`). */
  [JUPYTER_DISPLAY](): Promise<DisplayBundle> {
    return renderDisplay("query_result", this);
  }

  /** One location per row of `df`, in the same order (built on first use). */
  get locations(): SampleLocation[] {
    return this.#locations ??= locationsOf(this.df);
  }

  /** The explain text followed by the DataFrame's text. */
  toString(): string {
    return `${formatExplain(this.explain)}\n${this.df.toString()}`;
  }
}

function orderKeys(orderBy: QueryOptions["orderBy"]): { field: string; desc: boolean }[] {
  const list = orderBy === undefined
    ? []
    : typeof orderBy === "string"
    ? orderBy.split(",")
    : orderBy;
  return list.map((entry) => {
    const m = /^\s*([^\s]+)(?:\s+(asc|desc))?\s*$/i.exec(entry);
    if (!m) {
      throw new QueryError(
        "invalid_option",
        `Cannot sort by ${JSON.stringify(entry)}: "field [ASC|DESC]"`,
      );
    }
    return { field: m[1]!, desc: m[2]?.toLowerCase() === "desc" };
  });
}

/**
 * Queries a dataset's manifests.
 *
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { query } from "./query.ts";
 * import { MemoryStore } from "../store/mod.ts";
 * import { defineSchema, f } from "../schema/mod.ts";
 * import { writeShards } from "../dataset/mod.ts";
 * const S = defineSchema({ name: "S", version: "1.0.0", fields: { label: f.str(), n: f.int() } });
 * const store = new MemoryStore();
 * const samples = Array.from({ length: 6 }, (_, i) => ({ __key__: `k${i}`, label: i < 3 ? "cat" : "dog", n: i }));
 * await writeShards(store, "ds/shard-%06d.tar", samples, { schema: S, maxcount: 3 });
 * const r = await query(store, "ds", { where: "label = 'dog' AND n >= 4" });
 * if (r.df.height !== 2 || r.explain.shards.pruned !== 1) throw new Error(r.toString());
 * if (!r.df.getColumn("n").dtype.equals(pl.Int64)) throw new Error();
 * ```
 */
export async function query(
  store: Store,
  dataset: string,
  options: QueryOptions = {},
): Promise<QueryResult> {
  checkStore(store, "query");
  checkName(dataset, "query", "dataset");
  const start = performance.now();
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit >= 0)) {
    throw new QueryError(
      "invalid_option",
      `limit must be a whole number >= 0, not ${options.limit}`,
    );
  }
  const p = await plan(store, dataset, options.where, cacheDir);
  const { catalog } = p.index;
  const select = options.select ?? [...catalog.keys()].filter((n) => !n.startsWith("__"));
  for (const name of select) checkField(name, catalog);
  const order = orderKeys(options.orderBy);
  // `__shard__` is no manifest column (the scan adds it): sorting by it sorts by shard key.
  for (const { field } of order) if (field !== "__shard__") checkField(field, catalog);
  const scan = await scanManifests(store, p, {
    select,
    order,
    limit: options.limit,
    concurrency: options.concurrency ?? 16,
  });
  const explain: QueryExplain = {
    dataset,
    where: p.where,
    shards: {
      total: p.index.cols.length,
      pruned: p.index.cols.length - p.survivors.length,
      prunedBy: Object.fromEntries(Object.entries(p.prune.prunedBy).filter(([, n]) => n > 0)),
      fullyDecided: p.prune.allMatch.reduce((a, b) => a + b, 0),
      answeredFromIndex: 0,
      scanned: p.survivors.length,
    },
    rows: { matched: scan.matched, returned: scan.df.height },
    bytes: { scanned: scan.bytes, fetched: scan.fetchedBytes, cacheHits: scan.cacheHits },
    timeMs: {
      ...p.timeMs,
      fetch: scan.fetchMs,
      scan: scan.scanMs,
      convert: scan.convertMs,
      total: 0,
    },
  };
  explain.timeMs.total = performance.now() - start;
  return new QueryResult(scan.df, explain);
}
