/**
 * An index segment: the entries of some shards (sorted by name) as two Parquet files written by
 * shardline's own Parquet writer (no native addon), and what the generation that lists it
 * records about it ({@linkcode SegmentInfo}).
 *
 * - `<id>.columns.parquet`: one row per shard, what pruning and statistics read, as typed
 *   columns (see {@linkcode segmentColumnNames}): `name`, `num_samples`, `size_bytes`, `time_min`, `time_max` (epoch ms, NaN when absent),
 *   `schema_type`, `schema_version`, `manifest_version`, `schema_fields` (codes into the segment
 *   info's `dicts`), `parquet_key`, `parquet_sha256`, `parquet_size`, and per
 *   manifest field `f<j>.<stat>`: `count` and `null_count` (null where the shard lacks the field),
 *   numeric `min`/`max`/`sum` (NaN when unknown), `nan_count`, `inf_count`, `histogram` (JSON);
 *   timestamp `min`/`max` (epoch ms); categorical `cardinality`, `overflow_count`,
 *   `overflow_cardinality` and either one count column per value (`v<k>`, values listed in the
 *   segment info) or, past {@linkcode WIDE_VALUES} distinct values, `value_counts` (JSON); set
 *   `cardinality`, `all_values` and `bloom` (JSON).
 * - `<id>.names.json`: the shard names (a JSON array), in row order.
 * - `<id>.headers.parquet`: `name` and the whole header (JSON), read only when a caller asks for
 *   headers.
 * - `<id>.summary.json`: totals and per field the merge of the segment's summaries
 *   ({@linkcode SegmentSummary}), what `datasetStats` adds up.
 *
 * @module
 */
import { aggregateKind, type AggregateSummary } from "../manifest/aggregate.ts";
import { ItemCoder, NumberColumn, StringColumn } from "../parquet/column_data.ts";
import type { IndexEntry } from "../manifest/index_entry.ts";
import type { ManifestHeader } from "../manifest/manifest_header.ts";
import {
  encodeParquet,
  type ParquetOutColumn,
  type ParquetType,
} from "../parquet/parquet_writer.ts";
import { extremeIso } from "../manifest/timestamp_aggregate.ts";

/** The roles the columns hold (registered aggregate kinds beyond them stay in the headers). */
export const COLUMN_ROLES = ["categorical", "numeric", "set", "timestamp"] as const;
/** A role with columns. */
export type ColumnRole = typeof COLUMN_ROLES[number];

/** Distinct categorical values of a segment up to which each gets its own count column. */
export const WIDE_VALUES = 64;

/** One manifest field of a segment. */
export interface SegmentField {
  /** Column prefix (`f0`, `f1`, ...). */
  column: string;
  /** The first role seen for the field in the segment's shards. */
  role: ColumnRole;
  /** Categorical: the values with a count column each (`v<k>`); absent: `value_counts` JSON. */
  values?: string[];
  /** Shards whose header holds the field with another role (they are `present = 0`). */
  conflicts: number;
}

/** What a generation records about one of its segments. */
export interface SegmentInfo {
  /** File base name under `_index/segments/`. */
  id: string;
  rows: number;
  /** First and last shard name (the rows are sorted). */
  first: string;
  last: string;
  fields: Record<string, SegmentField>;
  /** Shards with an aggregate of a role that has no columns (a registered kind). */
  otherRoles: number;
  /**
   * Distinct values of the low-cardinality header strings, in order of first appearance: their
   * columns hold each shard's index into these (`schema_fields` as JSON, `""` for none).
   */
  dicts: Record<CodedColumn, string[]>;
}

/** The header strings stored as codes into {@linkcode SegmentInfo.dicts}. */
export const CODED_COLUMNS = [
  "schema_type",
  "schema_version",
  "manifest_version",
  "schema_fields",
] as const;
/** One of {@linkcode CODED_COLUMNS}. */
export type CodedColumn = typeof CODED_COLUMNS[number];

/**
 * What `datasetStats` adds up per segment (integers and merges, exact in any order): totals,
 * and per field the kind's merge over the shards that have it with its role.
 */
export interface SegmentSummary {
  shards: number;
  num_samples: number;
  size_bytes: number;
  /** Shards per `schema_type@schema_version`. */
  schemas: Record<string, number>;
  time_min: string | null;
  time_max: string | null;
  fields: Record<string, AggregateSummary>;
  /** Per field: samples of the shards that lack it (they count as null). */
  absentSamples: Record<string, number>;
  /** Per set field: the largest per-shard cardinality. */
  maxCardinality: Record<string, number>;
  /** Per numeric field: true when no shard with values has a histogram-less or clashing one. */
  histogramKnown: Record<string, boolean>;
}

/**
 * The summary of `headers` for fields of the given roles (a header holding a field with another
 * role counts as lacking it).
 */
export function summarizeHeaders(
  headers: readonly ManifestHeader[],
  roles: ReadonlyMap<string, string>,
): SegmentSummary {
  const out: SegmentSummary = {
    shards: headers.length,
    num_samples: 0,
    size_bytes: 0,
    schemas: {},
    time_min: extremeIso(headers.map((h) => h.time_min ?? null), -1),
    time_max: extremeIso(headers.map((h) => h.time_max ?? null), 1),
    fields: {},
    absentSamples: {},
    maxCardinality: {},
    histogramKnown: {},
  };
  for (const h of headers) {
    out.num_samples += h.num_samples;
    out.size_bytes += h.size_bytes;
    const id = `${h.schema_type}@${h.schema_version}`;
    out.schemas[id] = (out.schemas[id] ?? 0) + 1;
  }
  for (const [name, role] of roles) {
    const present: AggregateSummary[] = [];
    let absent = 0, maxCard = 0;
    for (const h of headers) {
      const a = h.aggregates[name];
      if (a?.type !== role) absent += h.num_samples;
      else {
        present.push(a);
        if (a.type === "set") maxCard = Math.max(maxCard, a.cardinality);
      }
    }
    const merged = aggregateKind(role).merge(present);
    out.fields[name] = merged;
    out.absentSamples[name] = absent;
    if (role === "set") out.maxCardinality[name] = maxCard;
    if (merged.type === "numeric") {
      out.histogramKnown[name] = !present.some((a) => a.count > 0) ||
        merged.histogram !== undefined;
    }
  }
  return out;
}

/** A segment ready to store. */
export interface EncodedSegment {
  info: SegmentInfo;
  columns: Uint8Array;
  /** The shard names as a JSON array (`<id>.names.json`): one GET and one parse for all. */
  names: string;
  headers: Uint8Array;
  summary: SegmentSummary;
}

const isColumnRole = (r: string): r is ColumnRole =>
  (COLUMN_ROLES as readonly string[]).includes(r);

/** Encodes `entries` (sorted by name, distinct) as segment `id`. */
export function encodeSegment(id: string, entries: readonly IndexEntry[]): EncodedSegment {
  const n = entries.length;
  const fields: Record<string, SegmentField> = {};
  let otherRoles = 0;
  for (const { header } of entries) {
    let other = false;
    for (const [name, agg] of Object.entries(header.aggregates)) {
      if (!isColumnRole(agg.type)) {
        other = true;
        continue;
      }
      const f = fields[name] ??= {
        column: `f${Object.keys(fields).length}`,
        role: agg.type,
        conflicts: 0,
      };
      if (f.role !== agg.type) f.conflicts++;
    }
    if (other) otherRoles++;
  }
  const cols: ParquetOutColumn[] = [
    stringColumn("name", entries.map((e) => e.name)),
    numberColumn("num_samples", "int64", n, (i) => entries[i]!.header.num_samples),
    numberColumn("size_bytes", "int64", n, (i) => entries[i]!.header.size_bytes),
    numberColumn("time_min", "double", n, (i) => ms(entries[i]!.header.time_min)),
    numberColumn("time_max", "double", n, (i) => ms(entries[i]!.header.time_max)),

    stringColumn("parquet_key", entries.map((e) => e.header.parquet?.key ?? "")),
    stringColumn("parquet_sha256", entries.map((e) => e.header.parquet?.sha256 ?? "")),
    numberColumn("parquet_size", "int64", n, (i) => entries[i]!.header.parquet?.size_bytes ?? 0),
  ];
  for (const [name, field] of Object.entries(fields)) {
    const aggs = entries.map(({ header }) => {
      const a = header.aggregates[name];
      return a?.type === field.role ? a : undefined;
    });
    cols.push(...fieldColumns(field, aggs));
  }
  const roles = new Map(Object.entries(fields).map(([name, f]) => [name, f.role]));
  const summary = summarizeHeaders(entries.map((e) => e.header), roles);
  const info: SegmentInfo = {
    id,
    rows: n,
    first: entries[0]?.name ?? "",
    last: entries.at(-1)?.name ?? "",
    fields,
    otherRoles,
    dicts: { schema_type: [], schema_version: [], manifest_version: [], schema_fields: [] },
  };
  const text: Record<CodedColumn, (h: ManifestHeader) => string> = {
    schema_type: (h) => h.schema_type,
    schema_version: (h) => h.schema_version,
    manifest_version: (h) => h.manifest_version,
    schema_fields: (h) => fieldsJson(h.fields) ?? "",
  };
  for (const c of CODED_COLUMNS) {
    const index = new Map<string, number>();
    const dict = info.dicts[c];
    cols.push(numberColumn(c, "int64", n, (i) => {
      const t = text[c](entries[i]!.header);
      let k = index.get(t);
      if (k === undefined) index.set(t, k = dict.push(t) - 1);
      return k;
    }));
  }
  const headers = encodeParquet([
    stringColumn("name", entries.map((e) => e.name)),
    stringColumn("header", entries.map((e) => JSON.stringify(e.header, finite))),
  ], n);
  const names = JSON.stringify(entries.map((e) => e.name));
  return { info, columns: encodeParquet(cols, n), headers, summary, names };
}

/** The column names of a field's statistics, by role. */
export function segmentColumnNames(field: SegmentField): string[] {
  const p = field.column;
  const base = [`${p}.count`, `${p}.null_count`];
  if (field.role === "numeric") {
    return [
      ...base,
      ...["min", "max", "sum", "nan_count", "inf_count", "histogram"].map((s) => `${p}.${s}`),
    ];
  }
  if (field.role === "timestamp") return [...base, `${p}.min`, `${p}.max`];
  if (field.role === "set") return [...base, `${p}.cardinality`, `${p}.all_values`, `${p}.bloom`];
  const values = field.values ? field.values.map((_, k) => `${p}.v${k}`) : [`${p}.value_counts`];
  return [
    ...base,
    `${p}.cardinality`,
    `${p}.overflow_count`,
    `${p}.overflow_cardinality`,
    ...values,
  ];
}

type Agg = AggregateSummary | undefined;

function fieldColumns(field: SegmentField, aggs: readonly Agg[]): ParquetOutColumn[] {
  const n = aggs.length;
  const p = field.column;
  const absent = (i: number) => aggs[i] === undefined;
  const num = (
    s: string,
    type: "int64" | "double",
    f: (a: AggregateSummary) => number,
    nullable = true,
  ) =>
    numberColumn(
      `${p}.${s}`,
      type,
      n,
      (i) => aggs[i] ? f(aggs[i]!) : Number.NaN,
      nullable ? absent : undefined,
    );
  const json = (s: string, f: (a: AggregateSummary) => unknown) =>
    stringColumn(
      `${p}.${s}`,
      aggs.map((a) => {
        const v = a ? f(a) : undefined;
        return v === undefined || v === null ? null : JSON.stringify(v, finite);
      }),
    );
  const out = [
    num("count", "int64", (a) => a.count),
    num("null_count", "int64", (a) => a.null_count),
  ];
  if (field.role === "numeric") {
    const v = (a: AggregateSummary) => a.type === "numeric" ? a : undefined;
    out.push(
      num("min", "double", (a) => v(a)?.min ?? Number.NaN, false),
      num("max", "double", (a) => v(a)?.max ?? Number.NaN, false),
      num("sum", "double", (a) => v(a)?.sum ?? Number.NaN, false),
      num("nan_count", "int64", (a) => v(a)?.nan_count ?? 0),
      num("inf_count", "int64", (a) => v(a)?.inf_count ?? 0),
      json("histogram", (a) => v(a)?.histogram),
    );
  } else if (field.role === "timestamp") {
    const v = (a: AggregateSummary) => a.type === "timestamp" ? a : undefined;
    out.push(
      num("min", "double", (a) => ms(v(a)?.min), false),
      num("max", "double", (a) => ms(v(a)?.max), false),
    );
  } else if (field.role === "set") {
    const v = (a: AggregateSummary) => a.type === "set" ? a : undefined;
    out.push(
      num("cardinality", "int64", (a) => a.type === "set" ? a.cardinality : 0),
      json("all_values", (a) => v(a)?.all_values),
      json("bloom", (a) => v(a)?.bloom_filter),
    );
  } else {
    const v = (a: AggregateSummary) => a.type === "categorical" ? a : undefined;
    out.push(
      num("cardinality", "int64", (a) => v(a)?.cardinality ?? 0),
      num("overflow_count", "int64", (a) => v(a)?.overflow.count ?? 0),
      num("overflow_cardinality", "int64", (a) => v(a)?.overflow.cardinality ?? 0),
    );
    const distinct = new Set<string>();
    for (const a of aggs) {
      if (a) { for (const k of Object.keys(v(a)?.value_counts ?? {})) distinct.add(k); }
    }
    if (distinct.size <= WIDE_VALUES) {
      field.values = [...distinct].sort();
      field.values.forEach((value, k) => {
        out.push(numberColumn(`${p}.v${k}`, "int64", n, (i) => {
          const a = aggs[i];
          const counts = a && v(a)?.value_counts; // own keys only (not `toString`)
          return counts && Object.hasOwn(counts, value) ? counts[value]! : 0;
        }));
      });
    } else out.push(json("value_counts", (a) => v(a)?.value_counts));
  }
  return out;
}

const fieldsText = new WeakMap<object, string>();

/** The JSON of a header's field list (headers of one schema version often share the array). */
function fieldsJson(fields: readonly unknown[] | undefined): string | null {
  if (!fields) return null;
  let text = fieldsText.get(fields);
  if (text === undefined) fieldsText.set(fields, text = JSON.stringify(fields));
  return text;
}

/** JSON without non-finite numbers (as headers are encoded). */
function finite(_k: string, v: unknown): unknown {
  return typeof v === "number" && !Number.isFinite(v) ? null : v;
}

function ms(iso: string | null | undefined): number {
  return iso ? Date.parse(iso) : Number.NaN;
}

function stringColumn(name: string, values: readonly (string | null)[]): ParquetOutColumn {
  const coder = new ItemCoder(values.length);
  let nulls = 0;
  for (const v of values) {
    if (v === null) {
      coder.addNull();
      nulls++;
    } else coder.add(v);
  }
  const { dict, codes } = coder.finish();
  return { name, type: "string", data: new StringColumn(dict, codes, nulls) };
}

function numberColumn(
  name: string,
  type: Extract<ParquetType, "int64" | "double">,
  n: number,
  value: (i: number) => number,
  isNull?: (i: number) => boolean,
): ParquetOutColumn {
  const values = new Float64Array(n);
  let nulls: Uint8Array | undefined;
  let nullCount = 0;
  for (let i = 0; i < n; i++) {
    if (isNull?.(i)) {
      (nulls ??= new Uint8Array(n))[i] = 1;
      nullCount++;
    } else values[i] = value(i);
  }
  return { name, type, data: new NumberColumn(values, nulls, nullCount) };
}
