/**
 * The sinks a segment's columns are read into: per column a SQL expression for DuckDB and where
 * its values go, numeric ones also readable by the typed-array reader; and the per-field columns
 * (`emptyField`, `fieldSinks`, `finishField`) of {@linkcode FieldColumns}.
 *
 * @module
 */
import type { DuckDBVector } from "@duckdb/node-api";
import type { FieldColumns } from "./index_columns.ts";
import { byteText, type TextColumn } from "../parquet/parquet_reader.ts";
import { segmentColumnNames, type SegmentField } from "./_index_segment.ts";
import type { allocators } from "./_column_arena.ts";
import type { IndexColumnsPart } from "./_index_segment_read.ts";

/** A column of a segment: how DuckDB reads it, where its values go. */
export interface Sink {
  sql: string;
  take(vector: DuckDBVector, at: number, rows: number): void;
  /** A numeric column the typed-array reader can fill instead: its name and target. */
  direct?: { column: string; target: Float64Array };
  /** A string column the typed-array reader can hand over as one text instead. */
  text?: { column: string; fill(col: TextColumn): void };
}

/** `s` as a SQL string literal, and as a quoted identifier. */
export const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;
export const col = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** A numeric column as doubles, NULL as NaN. */
export function doubles(name: string, target: Float64Array): Sink {
  return {
    direct: { column: name, target },
    sql: `coalesce(${col(name)}::DOUBLE, 'NaN'::DOUBLE)`,
    take(vector, at, rows) {
      target.set((vector as unknown as { items: Float64Array }).items.subarray(0, rows), at);
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

export type FieldAlloc = ReturnType<typeof allocators>;

/** Allocators of one field's columns, keyed by field, role and stat. */
export function fieldAllocators(alloc: FieldAlloc, name: string, role: string): FieldAlloc {
  return {
    f64: (stat) => alloc.f64(`${name}\0${role}\0${stat}`),
    u8: (stat) => alloc.u8(`${name}\0${role}\0${stat}`),
  };
}

export function emptyField(
  field: SegmentField,
  n: number,
  skip: ReadonlySet<IndexColumnsPart> | undefined,
  alloc: FieldAlloc,
): FieldColumns {
  const f64 = alloc.f64;
  const nan = (stat: string) => f64(stat).fill(Number.NaN);
  const cols: FieldColumns = {
    role: field.role,
    present: alloc.u8("present"),
    count: f64("count"),
    null_count: f64("null_count"),
  };
  if (field.role === "numeric" || field.role === "timestamp") {
    [cols.min, cols.max] = [nan("min"), nan("max")];
  }
  if (field.role === "numeric") {
    cols.nan_count = f64("nan_count");
    cols.inf_count = f64("inf_count");
    cols.sum = f64("sum");
    if (!skip?.has("histogram")) cols.histogram = new Array(n).fill(null);
  }
  if (field.role === "categorical") {
    cols.values = new Map();
    cols.overflow_count = f64("overflow_count");
    cols.overflow_cardinality = f64("overflow_cardinality");
    cols.cardinality = f64("cardinality");
  }
  if (field.role === "set") {
    cols.cardinality = f64("cardinality");
    if (!skip?.has("set_values")) cols.set_values = new Array(n).fill(null);
    if (!skip?.has("bloom")) cols.bloom = new Array(n).fill(null);
  }
  return cols;
}

type Hist = NonNullable<NonNullable<FieldColumns["histogram"]>[number]>;

/**
 * The sinks of one field's columns; a categorical field's value counts only for the values in
 * `wanted` when given.
 */
export function fieldSinks(
  field: SegmentField,
  cols: FieldColumns,
  alloc: FieldAlloc,
  wanted?: ReadonlySet<string>,
): Sink[] {
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
    if (wanted) {
      cols.partial_values = true;
      // Only the values asked for: one column each (zeros where the segment lacks the value).
      for (const value of wanted) {
        const target = alloc.f64(`v\0${value}`);
        cols.values!.set(value, target);
        const k = field.values?.indexOf(value) ?? -1;
        if (k >= 0) sinks.push(doubles(`${p}.v${k}`, target));
        else if (!field.values) {
          // Past 64 values the counts are JSON: the one value found in the column's text (or,
          // where that reader cannot read the file, extracted by DuckDB).
          const column = `${p}.value_counts`;
          const pointer = "/" + value.replaceAll("~", "~0").replaceAll("/", "~1");
          const sql = `coalesce(json_extract(${col(column)}, ${sqlString(pointer)})::DOUBLE, 0)`;
          const key = byteText(`${JSON.stringify(value)}:`);
          sinks.push({
            ...doubles(column, target),
            sql,
            direct: undefined,
            text: { column, fill: (c) => countsOf(c, key, target) },
          });
        }
      }
    } else if (field.values) {
      field.values.forEach((value, k) => {
        const target = alloc.f64(`v\0${value}`);
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
              if (!target) cols.values!.set(value, target = alloc.f64(`v\0${value}`));
              target[i] = c;
            }
          }
        },
      });
    }
  }
  return sinks;
}

/**
 * The count stored under `key` (a JSON object key and its colon, as {@linkcode byteText}) in
 * each row of a column of JSON value counts (compact objects of numbers); 0 where absent. A key
 * found right after `{` or `,` is a key of the object: inside a string a quote is escaped, so
 * the quote found is a key's opening quote or its closing one. Only a key whose value starts
 * with `:` can match at a closing quote (`{"a,":5,":7":1}` holds `":5,":`): such a match is
 * checked by walking its row's keys.
 */
function countsOf(col: TextColumn, key: string, target: Float64Array): void {
  const { text, starts } = col;
  target.fill(0);
  const ambiguous = key.charCodeAt(1) === 0x3a;
  let row = 0;
  for (let at = text.indexOf(key); at >= 0; at = text.indexOf(key, at + 1)) {
    const before = text.charCodeAt(at - 1);
    if (before !== 0x7b && before !== 0x2c) continue;
    while (starts[row + 1]! <= at) row++;
    if (ambiguous && !keyStartsAt(text, starts[row]!, at)) continue;
    let end = at + key.length;
    for (let c = text.charCodeAt(end); c !== 0x2c && c !== 0x7d && end < text.length;) {
      c = text.charCodeAt(++end);
    }
    target[row] = Number(text.slice(at + key.length, end));
  }
}

/**
 * True when a key of the compact JSON object of numbers that starts at `from` (its `{`) opens
 * at `at`: the keys are walked one by one (strings with their escapes, then `:` and a number).
 */
function keyStartsAt(text: string, from: number, at: number): boolean {
  let pos = from + 1;
  while (pos < at) {
    if (text.charCodeAt(pos) !== 0x22) return false;
    pos++;
    for (let c = text.charCodeAt(pos); c !== 0x22; c = text.charCodeAt(pos)) {
      if (pos >= at) return false;
      pos += c === 0x5c ? 2 : 1;
    }
    pos++; // the closing quote, then `:` and the count up to `,` or `}`
    for (let c = text.charCodeAt(pos); c !== 0x2c; c = text.charCodeAt(pos)) {
      if (c === 0x7d || pos >= at) return false;
      pos++;
    }
    pos++;
  }
  return pos === at;
}

/** Present where `count` is known; absent shards: NaN stats to the defaults of the contract. */
export function finishField(cols: FieldColumns, numSamples: Float64Array): void {
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
