/**
 * The scan: the surviving shards' Parquet manifests, fetched into the cache, read by the
 * sandboxed DuckDB with the SQL printed from the checked predicate, into a DataFrame with
 * explicit dtypes and the locations of the rows. Private to the query room.
 *
 * @module
 */
import pl from "nodejs-polars";
import type { Store } from "../store/mod.ts";
import { cacheParquet } from "./_manifest_cache.ts";
import type { Plan } from "./_plan.ts";
import { withSandbox } from "./_sandbox.ts";
import { dtypeOf, listSeries, toSeries } from "./_to_polars.ts";
import { sqlIdent, sqlString } from "./predicate.ts";
import type { SampleLocation } from "./query.ts";

/** What to scan. */
export interface ScanOptions {
  select: readonly string[];
  order?: readonly { field: string; desc: boolean }[];
  limit?: number;
  concurrency: number;
  /** Shard indices to scan. @default the plan's survivors */
  shards?: readonly number[];
  /** SQL condition. @default the plan's where */
  where?: string;
}

/** What a scan returned and cost. */
export interface ScanResult {
  df: pl.DataFrame;
  locations: SampleLocation[];
  matched: number | null;
  bytes: number;
  fetchedBytes: number;
  cacheHits: number;
  fetchMs: number;
  scanMs: number;
  convertMs: number;
}

const META = ["__key__", "__shard__", "__offset__", "__size__"];

function emptyFrame(select: readonly string[], p: Plan): pl.DataFrame {
  return pl.DataFrame([
    pl.Series("__key__", [], pl.Utf8),
    pl.Series("__shard__", [], pl.Utf8),
    pl.Series("__offset__", [], pl.Int64),
    pl.Series("__size__", [], pl.Int64),
    ...select.map((name) => {
      const f = p.index.catalog.get(name)!;
      return f.list ? listSeries(name, []) : pl.Series(name, [], dtypeOf(f));
    }),
  ]);
}

/** Scans the plan's surviving manifests. */
export async function scanManifests(store: Store, p: Plan, o: ScanOptions): Promise<ScanResult> {
  const shards = o.shards ?? p.survivors;
  const { index, cacheDir } = p;
  const select = o.select.filter((n) => !META.includes(n));
  let t = performance.now();
  const cache = await cacheParquet(
    store,
    shards.map((i) => index.parquetKey[i]!),
    await index.versions(shards, o.concurrency),
    cacheDir,
    o.concurrency,
  );
  const fetchMs = performance.now() - t;
  const result: ScanResult = {
    df: emptyFrame(select, p),
    locations: [],
    matched: 0,
    bytes: cache.bytes,
    fetchedBytes: cache.fetchedBytes,
    cacheHits: cache.hits,
    fetchMs,
    scanMs: 0,
    convertMs: 0,
  };
  if (shards.length === 0) return result;

  const where = o.where ?? p.where;
  const needed = [...select, ...(o.order ?? []).map((k) => k.field), ...fieldsIn(p, where)];
  const source = manifestSource(p, shards, cache.paths, needed);
  const columns = [
    `"__key__"`,
    `"__file__"`,
    `"__offset__"`,
    `"__size__"`,
    ...select.map((name) =>
      index.catalog.get(name)?.type === "timestamp" && !index.catalog.get(name)?.list
        ? `epoch_us(${sqlIdent(name)}) AS ${sqlIdent(name)}`
        : sqlIdent(name)
    ),
  ];
  const orderSql = o.order?.length
    ? ` ORDER BY ${
      o.order.map((k) =>
        `${sqlIdent(k.field === "__shard__" ? "__file__" : k.field)} ${k.desc ? "DESC" : "ASC"}`
      )
        .join(", ")
    }`
    : "";
  const sql = `SELECT ${columns.join(", ")} FROM (${source}) WHERE ${where}${orderSql}${
    o.limit !== undefined ? ` LIMIT ${o.limit}` : ""
  }`;
  t = performance.now();
  const reader = await withSandbox(cacheDir, (con) => con.runAndReadAll(sql));
  const cols = reader.getColumnsJS();
  const types = reader.columnTypes().map(String);
  result.scanMs = performance.now() - t;
  if (cols.length === 0 || cols[0]!.length === 0) return result; // no row: the typed empty frame

  t = performance.now();
  const shardOf = new Map<string, string>();
  const inexact = new Set<string>();
  shards.forEach((i, j) => {
    shardOf.set(cache.paths[j]!, index.shard[i]!);
    if (!index.exactOffsets[i]) inexact.add(cache.paths[j]!);
  });
  const keys = cols[0] as string[];
  const fileCol = cols[1] as string[];
  const offsets = cols[2]!.map((v, r) => (inexact.has(fileCol[r]!) ? null : v));
  const sizes = cols[3]!;
  const shardCol = fileCol.map((f) => shardOf.get(f)!);
  result.df = pl.DataFrame([
    pl.Series("__key__", keys, pl.Utf8),
    pl.Series("__shard__", shardCol, pl.Utf8),
    toSeries("__offset__", offsets, "BIGINT"),
    toSeries("__size__", sizes, "BIGINT"),
    ...select.map((name, k) =>
      toSeries(name, cols[k + 4]!, types[k + 4]!, index.catalog.get(name))
    ),
  ]);
  result.locations = keys.map((key, r) => ({
    shard: shardCol[r]!,
    key,
    offset: offsets[r] === null ? null : Number(offsets[r]),
    size: Number(sizes[r]),
  }));
  result.matched = o.limit === undefined ? keys.length : null;
  result.convertMs = performance.now() - t;
  return result;
}

/** The catalog fields that a SQL condition names. */
export function fieldsIn(p: Plan, where: string): string[] {
  return [...p.index.catalog.keys()].filter((n) => where.includes(sqlIdent(n)));
}

/**
 * The SQL of a subquery over the cached manifests `paths` of `shards`, with a `__file__`
 * column; fields in `needed` that no scanned file holds read as typed NULL columns (schema
 * evolution: `union_by_name` cannot invent a column no file has).
 */
export function manifestSource(
  p: Plan,
  shards: readonly number[],
  paths: readonly string[],
  needed: Iterable<string>,
): string {
  const padding: string[] = [];
  for (const name of new Set(needed)) {
    if (name.startsWith("__")) continue;
    const may = p.index.mayHave(name);
    if (!shards.some((i) => may[i])) {
      padding.push(`NULL::${sqlType(p, name)} AS ${sqlIdent(name)}`);
    }
  }
  const files = `[${paths.map(sqlString).join(", ")}]`;
  return `SELECT *${padding.map((c) => `, ${c}`).join("")} FROM read_parquet(${files}, ` +
    `union_by_name = true, filename = '__file__')`;
}

function sqlType(p: Plan, name: string): string {
  const f = p.index.catalog.get(name)!;
  const scalar =
    { str: "VARCHAR", int: "BIGINT", float: "DOUBLE", bool: "BOOLEAN", timestamp: "TIMESTAMPTZ" }[
      f.type
    ];
  return f.list ? "VARCHAR[]" : scalar;
}
