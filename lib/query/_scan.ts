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
import { join } from "node:path";
import { dtypeOf, listSeries } from "./_to_polars.ts";
import { sqlIdent, sqlString } from "./predicate.ts";

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
  // Sorting by shard sorts by store key, which the scan then takes from a join.
  const byShard = (o.order ?? []).some((k) => k.field === "__shard__");
  const source = manifestSource(p, shards, cache.paths, needed, { shardKeys: byShard });
  // atdata's manifests hold no real offsets: null there.
  const inexact = shards.flatMap((
    i,
    j,
  ) => (index.exactOffsets[i] ? [] : [sqlString(cache.paths[j]!)]));
  const columns = [
    `"__key__"`,
    byShard ? `"${SHARD_KEY}" AS "__shard__"` : `"__file__" AS "__shard__"`,
    inexact.length
      ? `CASE WHEN "__file__" IN (${
        inexact.join(", ")
      }) THEN NULL ELSE "__offset__" END::BIGINT AS "__offset__"`
      : `"__offset__"::BIGINT AS "__offset__"`,
    `"__size__"::BIGINT AS "__size__"`,
    ...select.map(sqlIdent),
  ];
  const orderSql = o.order?.length
    ? ` ORDER BY ${
      o.order.map((k) => `${sqlIdent(k.field)} ${k.desc ? "DESC" : "ASC"}`).join(", ")
    }`
    : "";
  const out = join(cacheDir, `.result-${Deno.pid}-${resultCounter++}.parquet`);
  const sql = `COPY (SELECT ${columns.join(", ")} FROM (${source}) WHERE ${where}${orderSql}${
    o.limit !== undefined ? ` LIMIT ${o.limit}` : ""
  }) TO ${sqlString(out)} (FORMAT parquet)`;
  t = performance.now();
  try {
    await withSandbox(cacheDir, (con) => con.run(sql));
    result.scanMs = performance.now() - t;
    // DuckDB's Parquet read natively by polars: int64, timestamps (us, UTC) and lists keep
    // their types with no value passing through JS.
    t = performance.now();
    const df = pl.readParquet(out);
    // Cached file -> the shard's store key.
    const shardKeys = shards.map((i) => index.shard[i]!);
    if (df.height > 0) {
      result.df = byShard
        ? df
        : df.withColumns(pl.col("__shard__").replace(cache.paths, shardKeys));
    }
  } finally {
    await Deno.remove(out).catch(() => {});
  }
  result.matched = o.limit === undefined ? result.df.height : null;
  result.convertMs = performance.now() - t;
  return result;
}

let resultCounter = 0;

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
  options: { shardKeys?: boolean } = {},
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
  const read = `read_parquet(${files}, union_by_name = true, filename = '__file__')`;
  const pad = padding.map((c) => `, ${c}`).join("");
  if (!options.shardKeys) return `SELECT *${pad} FROM ${read}`;
  // Each file joined to its shard's store key (a join does not keep the files' order: only for
  // a scan that sorts anyway).
  const keys = shards.map((i, j) => `(${sqlString(paths[j]!)}, ${sqlString(p.index.shard[i]!)})`);
  return `SELECT "__src__".*${pad}, "__map__"."${SHARD_KEY}" FROM ${read} AS "__src__" ` +
    `JOIN (VALUES ${keys.join(", ")}) AS "__map__"("__path__", "${SHARD_KEY}") ` +
    `ON "__src__"."__file__" = "__map__"."__path__"`;
}

/** The column of {@linkcode manifestSource} holding each row's shard store key. */
export const SHARD_KEY = "__shardline_shard__";

function sqlType(p: Plan, name: string): string {
  const f = p.index.catalog.get(name)!;
  const scalar =
    { str: "VARCHAR", int: "BIGINT", float: "DOUBLE", bool: "BOOLEAN", timestamp: "TIMESTAMPTZ" }[
      f.type
    ];
  return f.list ? "VARCHAR[]" : scalar;
}
