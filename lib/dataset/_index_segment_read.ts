/**
 * Reading index segments with DuckDB: the columns a caller asks for, chunk by chunk, straight
 * into typed arrays (a numeric vector's data is a Float64Array view: one `set` per 2,048 rows),
 * never a JS object per shard; low-cardinality strings come back as codes into their distinct
 * values. Headers are read from the segment's headers file only when asked for.
 *
 * @module
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import type { IndexColumns } from "./index_columns.ts";
import type { ManifestField } from "../schema/manifest_field.ts";
import type { SegmentInfo } from "./_index_segment.ts";
import { getOrUndefined, segmentKeys } from "./_index_generation.ts";
import {
  prefetchColumns,
  type ReadAt,
  readLayout,
  readNumberColumn,
  readTextColumn,
  type TextColumn,
} from "../parquet/parquet_reader.ts";
import type { Store } from "../store/store.ts";
import { StoreError } from "../store/store_error.ts";
import { allocators, type ArenaSlot } from "./_column_arena.ts";
import {
  col,
  doubles,
  emptyField,
  fieldAllocators,
  fieldSinks,
  finishField,
  type Sink,
  sqlString,
} from "./_index_segment_sinks.ts";
import { LocalStore } from "../store/local_store.ts";

/** The per-shard objects a reader may leave out (parsing them costs a JSON.parse per shard). */
export type IndexColumnsPart = "histogram" | "set_values" | "bloom" | "parquet";

/** What to read from a segment. */
export interface SegmentReadOptions {
  /** Only these fields. @default every field */
  fields?: ReadonlySet<string>;
  /** Leave these per-shard objects out (their arrays are absent). @default none */
  skip?: ReadonlySet<IndexColumnsPart>;
  /** Read the numeric columns into their place in a merged result. @default new arrays */
  slot?: ArenaSlot;
  /** Per categorical field, only these values' counts. @default every value */
  values?: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * A segment's files: the columns file read by ranges (only the column chunks asked for are
 * fetched), whole only for DuckDB (a local file in place, else its bytes), and the names.
 */
export interface SegmentSource {
  /** Size of the columns file. */
  size: number;
  /** Ranged reads of the columns file. */
  read: ReadAt;
  /** The whole columns file: its path on this machine, or its bytes. */
  whole(): Promise<string | Uint8Array>;
  /** The shard names, in row order (empty when not asked for). */
  names: string[];
}

/**
 * The files of segment `info` in `store`. One that is gone (now or by a later read) is the store's
 * `not_found`, which the index snapshot takes as "start over".
 */
export async function segmentSource(
  store: Store,
  dataset: string,
  info: SegmentInfo,
  options: { names?: boolean } = {},
): Promise<SegmentSource> {
  const keys = segmentKeys(dataset, info.id);
  const [head, names] = await Promise.all([
    store.head(keys.columns),
    options.names === false ? new TextEncoder().encode("[]") : getOrUndefined(store, keys.names),
  ]);
  // Gone (a compaction removed it, or the index is damaged): the snapshot starts over.
  for (const [found, key] of [[head, keys.columns], [names, keys.names]] as const) {
    if (!found) {
      throw new StoreError("not_found", `Index segment file "${key}" is missing`, { key });
    }
  }
  const local = store instanceof LocalStore ? store.pathOf(keys.columns) : undefined;
  return {
    size: head!.size,
    read: (offset, length) => store.get(keys.columns, { range: { offset, length } }),
    whole: () => local ? Promise.resolve(local) : store.get(keys.columns),
    names: JSON.parse(new TextDecoder().decode(names!)) as string[],
  };
}

/** Reads the columns of a segment (described by `info`) as {@linkcode IndexColumns}. */
export async function readSegmentColumns(
  dataset: string,
  source: SegmentSource,
  info: SegmentInfo,
  options: SegmentReadOptions = {},
): Promise<IndexColumns> {
  const n = info.rows;
  const alloc = allocators(n, options.slot);
  const out: IndexColumns = {
    dataset,
    length: n,
    name: source.names,
    num_samples: alloc.f64("num_samples"),
    size_bytes: alloc.f64("size_bytes"),
    schema_type: new Array<string>(n),
    schema_version: new Array<string>(n),
    time_min: alloc.f64("time_min"),
    time_max: alloc.f64("time_max"),
    manifest_version: new Array<string>(n),
    schema_fields: new Array<ManifestField[] | null>(n),
    fields: {},
  };
  const parquet = !options.skip?.has("parquet");
  if (parquet) {
    out.parquet_key = new Array<string>(n);
    out.parquet_sha256 = new Array<string>(n);
    out.parquet_size = alloc.f64("parquet_size");
  }
  if (source.names.length !== n) {
    throw new Error(`Index segment "${info.id}" names ${source.names.length} shards, not ${n}`);
  }
  const finish: (() => void)[] = [];
  /** A header string stored as codes: read as numbers, then looked up. */
  const coded = <T>(name: string, dict: readonly T[], target: T[]) => {
    const codes = new Float64Array(n);
    finish.push(() => {
      for (let i = 0; i < n; i++) target[i] = dict[codes[i]!]!;
    });
    return doubles(name, codes);
  };
  const sinks: Sink[] = [
    coded("schema_type", info.dicts.schema_type, out.schema_type),
    coded("schema_version", info.dicts.schema_version, out.schema_version),
    doubles("num_samples", out.num_samples),
    doubles("size_bytes", out.size_bytes),
    doubles("time_min", out.time_min),
    doubles("time_max", out.time_max),
    coded("manifest_version", info.dicts.manifest_version, out.manifest_version),
    coded(
      "schema_fields",
      info.dicts.schema_fields.map((t) => t === "" ? null : JSON.parse(t) as ManifestField[]),
      out.schema_fields,
    ),
  ];
  const texts: [string, string[]][] = [];
  if (parquet) {
    texts.push(["parquet_key", out.parquet_key!], ["parquet_sha256", out.parquet_sha256!]);
    sinks.push(doubles("parquet_size", out.parquet_size!));
  }
  const fieldsDone: (() => void)[] = [];
  for (const [name, field] of Object.entries(info.fields)) {
    if (options.fields && !options.fields.has(name)) continue;
    const fieldAlloc = fieldAllocators(alloc, name, field.role);
    const cols = out.fields[name] = emptyField(field, n, options.skip, fieldAlloc);
    sinks.push(...fieldSinks(field, cols, fieldAlloc, options.values?.get(name)));
    fieldsDone.push(() => finishField(cols, out.num_samples));
  }
  const rest = await readDirect(source, sinks);
  if (rest.length > 0 || texts.length > 0) {
    // What the typed-array reader does not read (JSON and text columns): through DuckDB.
    const { withConnection, withTempFile } = await import("../parquet/duckdb.ts");
    const whole = await source.whole();
    await withTempFile(".parquet", undefined, async (temp) => {
      const inPlace = typeof whole === "string";
      const path = inPlace ? whole : temp;
      if (!inPlace) await Deno.writeFile(path, whole);
      await withConnection(async (con) => {
        for (const [name, target] of texts) rest.push(...await strings(con, path, name, target, n));
        if (rest.length === 0) return;
        const from = `read_parquet(${sqlString(path)})`;
        const result = await con.stream(`SELECT ${rest.map((s) => s.sql).join(", ")} FROM ${from}`);
        let at = 0;
        for (;;) {
          const chunk = await result.fetchChunk();
          if (!chunk || chunk.rowCount === 0) break;
          const rows = chunk.rowCount;
          rest.forEach((s, c) => s.take(chunk.getColumnVector(c), at, rows));
          at += rows;
        }
        if (at !== n) throw new Error(`Index segment "${info.id}" has ${at} rows, not ${n}`);
      });
    });
  }
  for (const f of finish) f();
  for (const f of fieldsDone) f();
  return out;
}

/**
 * Numeric columns of a segment by their stored names (null: NaN), each undefined where the
 * typed-array reader cannot read it (the caller then reads the segment with
 * {@linkcode readSegmentColumns}).
 */
export async function readSegmentNumbers(
  source: SegmentSource,
  info: SegmentInfo,
  columns: readonly string[],
): Promise<(Float64Array | undefined)[]> {
  const sinks = columns.map((c) => doubles(c, new Float64Array(info.rows)));
  const left = new Set(await readDirect(source, sinks));
  return sinks.map((s) => (left.has(s) ? undefined : s.direct!.target));
}

/**
 * Fills the sinks of numeric columns with the typed-array reader where it can read them (this
 * writer's files), fetching just their column chunks; returns the sinks left for DuckDB.
 */
async function readDirect(source: SegmentSource, sinks: readonly Sink[]): Promise<Sink[]> {
  const layout = await readLayout(source.read, source.size);
  if (!layout) return [...sinks];
  const direct = sinks.flatMap((s) => s.direct ? [s.direct.column] : s.text ? [s.text.column] : []);
  const read = await prefetchColumns(source.read, layout, direct);
  const texts = new Map<string, Promise<TextColumn | undefined>>();
  const rest: Sink[] = [];
  for (const sink of sinks) {
    if (sink.text) {
      const { column, fill } = sink.text;
      if (!texts.has(column)) texts.set(column, readTextColumn(read, layout, column));
      const text = await texts.get(column);
      if (text) fill(text);
      else rest.push(sink);
      continue;
    }
    const target = sink.direct?.target;
    const values = target && target.length === layout.rows &&
      await readNumberColumn(read, layout, sink.direct!.column, target);
    if (!values) rest.push(sink);
  }
  return rest;
}

/** Reads `name` and `header` (JSON text) of a segment's headers file, row by row. */
export async function* scanSegmentHeaders(
  bytes: Uint8Array,
): AsyncGenerator<{ name: string; header: string }[]> {
  const { withConnection, withTempFile } = await import("../parquet/duckdb.ts");
  const path = await withTempFile(".parquet", undefined, (p) => Promise.resolve(p));
  await Deno.writeFile(path, bytes);
  try {
    const batches: { name: string; header: string }[][] = [];
    await withConnection(async (con) => {
      const result = await con.stream(`SELECT name, header FROM read_parquet(${sqlString(path)})`);
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        const names = chunk.getColumnVector(0), headers = chunk.getColumnVector(1);
        const batch = new Array<{ name: string; header: string }>(chunk.rowCount);
        for (let i = 0; i < chunk.rowCount; i++) {
          batch[i] = { name: names.getItem(i) as string, header: headers.getItem(i) as string };
        }
        batches.push(batch);
      }
    });
    yield* batches;
  } finally {
    await Deno.remove(path).catch(() => {});
  }
}

/**
 * A string column: fetched as one text (the values joined by newlines, in file order) and split,
 * cheaper than a native call per value; per value when a value holds a newline.
 */
async function strings(
  con: DuckDBConnection,
  path: string,
  name: string,
  target: string[],
  rows: number,
): Promise<Sink[]> {
  const reader = await con.runAndReadAll(
    `SELECT string_agg(coalesce(${col(name)}, ''), chr(10) ORDER BY file_row_number) ` +
      `FROM read_parquet(${sqlString(path)}, file_row_number = true)`,
  );
  const text = reader.getColumns()[0]![0];
  const parts = typeof text === "string" ? text.split("\n") : [];
  if (parts.length === rows) {
    for (let i = 0; i < rows; i++) target[i] = parts[i]!;
    return [];
  }
  return [{
    sql: `coalesce(${col(name)}, '')`,
    take(vector, at, count) {
      for (let i = 0; i < count; i++) target[at + i] = vector.getItem(i) as string;
    },
  }];
}
