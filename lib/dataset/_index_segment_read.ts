/**
 * Reading index segments with DuckDB: the columns a caller asks for, chunk by chunk, straight
 * into typed arrays (a numeric vector's data is a Float64Array view: one `set` per 2,048 rows),
 * never a JS object per shard; low-cardinality strings come back as codes into their distinct
 * values. Headers are read from the segment's headers file only when asked for.
 *
 * @module
 */
import type { DuckDBConnection, DuckDBVector } from "@duckdb/node-api";
import { sqlIdent, sqlString, withConnection, withTempFile } from "../parquet/duckdb.ts";
import type { FieldColumns, IndexColumns } from "./index_columns.ts";
import type { ManifestField } from "../schema/manifest_field.ts";
import { segmentColumnNames, type SegmentField, type SegmentInfo } from "./_index_segment.ts";

/** The per-shard objects a reader may leave out (parsing them costs a JSON.parse per shard). */
export type IndexColumnsPart = "histogram" | "set_values" | "bloom" | "parquet";

/** What to read from a segment. */
export interface SegmentReadOptions {
  /** Only these fields. @default every field */
  fields?: ReadonlySet<string>;
  /** Leave these per-shard objects out (their arrays are absent). @default none */
  skip?: ReadonlySet<IndexColumnsPart>;
}

interface Sink {
  sql: string;
  take(vector: DuckDBVector, at: number, rows: number): void;
}

/** Reads the columns of segment file `path` (described by `info`) as {@linkcode IndexColumns}. */
export async function readSegmentColumns(
  dataset: string,
  bytes: Uint8Array,
  info: SegmentInfo,
  options: SegmentReadOptions = {},
): Promise<IndexColumns> {
  const n = info.rows;
  const out: IndexColumns = {
    dataset,
    length: n,
    name: new Array<string>(n),
    num_samples: new Float64Array(n),
    size_bytes: new Float64Array(n),
    schema_type: new Array<string>(n),
    schema_version: new Array<string>(n),
    time_min: new Float64Array(n),
    time_max: new Float64Array(n),
    manifest_version: new Array<string>(n),
    schema_fields: new Array<ManifestField[] | null>(n),
    fields: {},
  };
  const parquet = !options.skip?.has("parquet");
  if (parquet) {
    out.parquet_key = new Array<string>(n);
    out.parquet_sha256 = new Array<string>(n);
    out.parquet_size = new Float64Array(n);
  }
  return await withTempFile(".parquet", undefined, async (path) => {
    await Deno.writeFile(path, bytes);
    return await withConnection(async (con) => {
      const from = `read_parquet(${sqlString(path)})`;
      const sinks: Sink[] = [
        strings("name", out.name),
        await coded(con, from, "schema_type", out.schema_type),
        await coded(con, from, "schema_version", out.schema_version),
        doubles("num_samples", out.num_samples),
        doubles("size_bytes", out.size_bytes),
        doubles("time_min", out.time_min),
        doubles("time_max", out.time_max),
        await coded(con, from, "manifest_version", out.manifest_version),
        await coded(
          con,
          from,
          "schema_fields",
          out.schema_fields,
          (text) => text === "" ? null : JSON.parse(text) as ManifestField[],
        ),
      ];
      if (parquet) {
        sinks.push(
          strings("parquet_key", out.parquet_key!),
          strings("parquet_sha256", out.parquet_sha256!),
          doubles("parquet_size", out.parquet_size!),
        );
      }
      const finish: (() => void)[] = [];
      for (const [name, field] of Object.entries(info.fields)) {
        if (options.fields && !options.fields.has(name)) continue;
        const cols = out.fields[name] = emptyField(field, n, options.skip);
        sinks.push(...fieldSinks(field, cols));
        finish.push(() => finishField(cols, out.num_samples));
      }
      const result = await con.stream(`SELECT ${sinks.map((s) => s.sql).join(", ")} FROM ${from}`);
      let at = 0;
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        const rows = chunk.rowCount;
        sinks.forEach((s, c) => s.take(chunk.getColumnVector(c), at, rows));
        at += rows;
      }
      if (at !== n) throw new Error(`Index segment "${info.id}" has ${at} rows, not ${n}`);
      for (const f of finish) f();
      return out;
    });
  });
}

/** Reads `name` and `header` (JSON text) of a segment's headers file, row by row. */
export async function* scanSegmentHeaders(
  bytes: Uint8Array,
): AsyncGenerator<{ name: string; header: string }[]> {
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

const col = (name: string) => sqlIdent(name);

/** A numeric column as doubles, NULL as NaN. */
function doubles(name: string, target: Float64Array): Sink {
  return {
    sql: `coalesce(${col(name)}::DOUBLE, 'NaN'::DOUBLE)`,
    take(vector, at, rows) {
      target.set((vector as unknown as { items: Float64Array }).items.subarray(0, rows), at);
    },
  };
}

function strings(name: string, target: (string | null)[]): Sink {
  return {
    sql: col(name),
    take(vector, at, rows) {
      for (let i = 0; i < rows; i++) target[at + i] = vector.getItem(i) as string | null;
    },
  };
}

/** A low-cardinality string column: its distinct values once, then a code per row. */
async function coded<T = string>(
  con: DuckDBConnection,
  from: string,
  name: string,
  target: T[],
  map: (text: string) => T = (text) => text as T,
): Promise<Sink> {
  const reader = await con.runAndReadAll(
    `SELECT DISTINCT coalesce(${col(name)}, '') AS v FROM ${from} ORDER BY v`,
  );
  const texts = reader.getColumns()[0]!.map(String);
  const dict = texts.map(map);
  const list = `[${texts.map(sqlString).join(", ")}]`;
  return {
    sql: `list_position(${list}, coalesce(${col(name)}, ''))::INTEGER`,
    take(vector, at, rows) {
      const codes = (vector as unknown as { items: Int32Array }).items;
      for (let i = 0; i < rows; i++) target[at + i] = dict[codes[i]! - 1]!;
    },
  };
}

/** A JSON text column, parsed (NULL as null). */
function json<T>(name: string, target: (T | null)[], map: (v: unknown) => T): Sink {
  return {
    sql: col(name),
    take(vector, at, rows) {
      for (let i = 0; i < rows; i++) {
        const text = vector.getItem(i) as string | null;
        target[at + i] = text === null ? null : map(JSON.parse(text));
      }
    },
  };
}

function emptyField(
  field: SegmentField,
  n: number,
  skip?: ReadonlySet<IndexColumnsPart>,
): FieldColumns {
  const nan = () => new Float64Array(n).fill(Number.NaN);
  const cols: FieldColumns = {
    role: field.role,
    present: new Uint8Array(n),
    count: new Float64Array(n),
    null_count: new Float64Array(n),
  };
  if (field.role === "numeric" || field.role === "timestamp") [cols.min, cols.max] = [nan(), nan()];
  if (field.role === "numeric") {
    cols.nan_count = new Float64Array(n);
    cols.inf_count = new Float64Array(n);
    cols.sum = new Float64Array(n);
    if (!skip?.has("histogram")) cols.histogram = new Array(n).fill(null);
  }
  if (field.role === "categorical") {
    cols.values = new Map();
    cols.overflow_count = new Float64Array(n);
    cols.overflow_cardinality = new Float64Array(n);
    cols.cardinality = new Float64Array(n);
  }
  if (field.role === "set") {
    cols.cardinality = new Float64Array(n);
    if (!skip?.has("set_values")) cols.set_values = new Array(n).fill(null);
    if (!skip?.has("bloom")) cols.bloom = new Array(n).fill(null);
  }
  return cols;
}

type Hist = NonNullable<NonNullable<FieldColumns["histogram"]>[number]>;

function fieldSinks(field: SegmentField, cols: FieldColumns): Sink[] {
  const names = segmentColumnNames(field);
  const p = field.column;
  const sinks: Sink[] = [
    doubles(`${p}.count`, cols.count),
    doubles(`${p}.null_count`, cols.null_count),
  ];
  const num = (stat: string, target: Float64Array | undefined) => {
    if (target && names.includes(`${p}.${stat}`)) sinks.push(doubles(`${p}.${stat}`, target));
  };
  num("min", cols.min);
  num("max", cols.max);
  num("sum", cols.sum);
  num("nan_count", cols.nan_count);
  num("inf_count", cols.inf_count);
  num("cardinality", cols.cardinality);
  num("overflow_count", cols.overflow_count);
  num("overflow_cardinality", cols.overflow_cardinality);
  if (cols.histogram) {
    sinks.push(json(`${p}.histogram`, cols.histogram, (v) => {
      const h = v as {
        rule: Hist["rule"];
        buckets: number[];
        counts: number[];
        below?: number;
        above?: number;
      };
      return {
        rule: h.rule,
        buckets: Float64Array.from(h.buckets),
        counts: Float64Array.from(h.counts),
        below: h.below ?? 0,
        above: h.above ?? 0,
      };
    }));
  }
  if (cols.set_values) sinks.push(json(`${p}.all_values`, cols.set_values, (v) => v as string[]));
  if (cols.bloom) {
    sinks.push(
      json(`${p}.bloom`, cols.bloom, (v) => v as NonNullable<FieldColumns["bloom"]>[number]),
    );
  }
  if (field.role === "categorical") {
    const n = cols.count.length;
    if (field.values) {
      field.values.forEach((value, k) => {
        const target = new Float64Array(n);
        cols.values!.set(value, target);
        sinks.push(doubles(`${p}.v${k}`, target));
      });
    } else {
      const counts = new Array<Record<string, number> | null>(n);
      sinks.push({
        ...json(`${p}.value_counts`, counts, (v) => v as Record<string, number>),
      });
      sinks.push({
        sql: "NULL",
        take(_v, at, rows) {
          for (let i = at; i < at + rows; i++) {
            for (const [value, c] of Object.entries(counts[i] ?? {})) {
              let target = cols.values!.get(value);
              if (!target) cols.values!.set(value, target = new Float64Array(n));
              target[i] = c;
            }
          }
        },
      });
    }
  }
  return sinks;
}

/** Present where `count` is known; absent shards: NaN stats to the defaults of the contract. */
function finishField(cols: FieldColumns, numSamples: Float64Array): void {
  const n = cols.count.length;
  const zero = [
    cols.nan_count,
    cols.inf_count,
    cols.sum,
    cols.cardinality,
    cols.overflow_count,
    cols.overflow_cardinality,
  ];
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(cols.count[i]!)) {
      cols.count[i] = 0;
      cols.null_count[i] = numSamples[i]!;
      for (const z of zero) if (z) z[i] = 0;
      if (cols.values) { for (const v of cols.values.values()) v[i] = 0; }
    } else cols.present[i] = 1;
  }
}
