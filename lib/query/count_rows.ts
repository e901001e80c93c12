/**
 * {@linkcode countRows}: how many rows match, optionally per value of a categorical field,
 * answering from the index whatever the aggregates decide: a shard whose aggregates prove every
 * row matches contributes its sample count (or its value counts, when it has no overflow)
 * without its Parquet manifest being opened; only the other surviving shards are scanned.
 *
 * @module
 */
import pl from "nodejs-polars";
import type { Store } from "../store/mod.ts";
import { checkField } from "./_check_predicate.ts";
import { cacheParquet } from "./_manifest_cache.ts";
import { plan } from "./_plan.ts";
import { defaultCacheDir, withSandbox } from "./_sandbox.ts";
import { fieldsIn, manifestSource } from "./_scan.ts";
import type { FieldInfo } from "./field_catalog.ts";
import type { QueryExplain } from "./explain.ts";
import type { WhereFilter } from "./filter_object.ts";
import { sqlIdent } from "./predicate.ts";
import { QueryError } from "./query_error.ts";

/** Options for {@linkcode countRows}. */
export interface CountRowsOptions {
  /** Which rows (as in `query`). @default every row */
  where?: string | WhereFilter;
  /** A categorical field: one count per value (null included). @default one total */
  groupBy?: string;
  /** Local folder of cached Parquet manifests. @default `<os tmpdir>/shardline/query-cache` */
  cacheDir?: string;
  /** Manifests fetched at once. @default 16 */
  concurrency?: number;
}

/** What {@linkcode countRows} returns. */
export interface CountRowsResult {
  /** Rows matching. */
  count: number;
  /** With `groupBy`: columns `<field>` and `count`, largest count first. */
  df?: pl.DataFrame;
  explain: QueryExplain;
}

function keyOf(v: unknown, f: FieldInfo): string | null {
  if (v === null || v === undefined) return null;
  if (f.type === "timestamp" && v instanceof Date) return v.toISOString();
  return String(v);
}

function valueSeries(name: string, keys: (string | null)[], f: FieldInfo): pl.Series {
  switch (f.type) {
    case "int":
      return pl.Series(name, keys.map((k) => (k === null ? null : Number(k))), pl.Float64).cast(
        pl.Int64,
      );
    case "float":
      return pl.Series(name, keys.map((k) => (k === null ? null : Number(k))), pl.Float64);
    case "bool":
      return pl.Series(name, keys.map((k) => (k === null ? null : k === "true")), pl.Bool);
    default:
      return pl.Series(name, keys, pl.Utf8);
  }
}

/**
 * Counts matching rows, from the aggregates where they decide.
 *
 * @example
 * ```ts
 * import { countRows } from "./count_rows.ts";
 * import { MemoryStore } from "../store/mod.ts";
 * import { defineSchema, f } from "../schema/mod.ts";
 * import { writeShards } from "../dataset/mod.ts";
 * const S = defineSchema({ name: "S", version: "1.0.0", fields: { label: f.str(), n: f.int() } });
 * const store = new MemoryStore();
 * const samples = Array.from({ length: 6 }, (_, i) => ({ __key__: `k${i}`, label: i < 3 ? "cat" : "dog", n: i }));
 * await writeShards(store, "ds/shard-%06d.tar", samples, { schema: S, maxcount: 3 });
 * const r = await countRows(store, "ds", { where: "n >= 3", groupBy: "label" });
 * if (r.count !== 3 || r.explain.shards.answeredFromIndex !== 1 || r.explain.shards.scanned !== 0) {
 *   throw new Error(JSON.stringify(r.explain));
 * }
 * ```
 */
export async function countRows(
  store: Store,
  dataset: string,
  options: CountRowsOptions = {},
): Promise<CountRowsResult> {
  const start = performance.now();
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const p = await plan(
    store,
    dataset,
    options.where,
    cacheDir,
    options.groupBy ? [options.groupBy] : [],
  );
  const { cols, catalog } = p.index;
  const g = options.groupBy;
  const field = g === undefined ? undefined : checkField(g, catalog);
  const gcols = g === undefined ? undefined : cols.fields[g];
  if (g !== undefined && gcols && gcols.role !== "categorical") {
    throw new QueryError(
      "invalid_option",
      `Cannot group by "${g}": it is not a categorical field`,
      { field: g },
    );
  }
  const lacks = g === undefined ? undefined : p.index.lacks(g);
  const groups = new Map<string | null, number>();
  const add = (k: string | null, n: number) => groups.set(k, (groups.get(k) ?? 0) + n);
  let count = 0;
  let fromIndex = 0;
  const scan: number[] = [];
  for (const i of p.survivors) {
    if (!p.prune.allMatch[i]) {
      scan.push(i);
      continue;
    }
    if (g === undefined) {
      count += cols.num_samples[i]!;
    } else if (lacks![i]) {
      add(null, cols.num_samples[i]!);
      count += cols.num_samples[i]!;
    } else if (
      gcols?.present[i] && gcols.overflow_count![i] === 0 && !Number.isNaN(gcols.null_count[i])
    ) {
      for (const [value, counts] of gcols.values!) if (counts[i]! > 0) add(value, counts[i]!);
      if (gcols.null_count[i]! > 0) add(null, gcols.null_count[i]!);
      count += cols.num_samples[i]!;
    } else {
      scan.push(i);
      continue;
    }
    fromIndex++;
  }
  let t = performance.now();
  const cache = await cacheParquet(
    store,
    scan.map((i) => p.index.parquetKey[i]!),
    await p.index.versions(scan, options.concurrency ?? 16),
    cacheDir,
    options.concurrency ?? 16,
  );
  const fetchMs = performance.now() - t;
  t = performance.now();
  if (scan.length > 0) {
    const source = manifestSource(p, scan, cache.paths, [
      ...(g ? [g] : []),
      ...fieldsIn(p, p.where),
    ]);
    const sql = g === undefined
      ? `SELECT count(*) FROM (${source}) WHERE ${p.where}`
      : `SELECT ${sqlIdent(g)}, count(*) FROM (${source}) WHERE ${p.where} GROUP BY ALL`;
    const rows = (await withSandbox(cacheDir, (con) => con.runAndReadAll(sql))).getRowsJS();
    for (const row of rows) {
      const n = Number(row[row.length - 1]);
      count += n;
      if (g !== undefined) add(keyOf(row[0], field!), n);
    }
  }
  const scanMs = performance.now() - t;
  t = performance.now();
  let df: pl.DataFrame | undefined;
  if (g !== undefined) {
    const entries = [...groups].sort((a, b) =>
      b[1] - a[1] || String(a[0]).localeCompare(String(b[0]))
    );
    df = pl.DataFrame([
      valueSeries(g, entries.map(([k]) => k), field!),
      pl.Series("count", entries.map(([, n]) => n), pl.Float64).cast(pl.Int64),
    ]);
  }
  const explain: QueryExplain = {
    dataset,
    where: p.where,
    shards: {
      total: cols.length,
      pruned: cols.length - p.survivors.length,
      prunedBy: Object.fromEntries(Object.entries(p.prune.prunedBy).filter(([, n]) => n > 0)),
      fullyDecided: p.prune.allMatch.reduce((a, b) => a + b, 0),
      answeredFromIndex: fromIndex,
      scanned: scan.length,
    },
    rows: { matched: count, returned: g === undefined ? 1 : groups.size },
    bytes: { scanned: cache.bytes, fetched: cache.fetchedBytes, cacheHits: cache.hits },
    timeMs: { ...p.timeMs, fetch: fetchMs, scan: scanMs, convert: performance.now() - t, total: 0 },
  };
  explain.timeMs.total = performance.now() - start;
  return { count, df, explain };
}
