/**
 * Manifest column types by value type (a table, not a switch): how a field's values are
 * normalized into a column (the builders of `_column_builders.ts`) and which Parquet type stores
 * it.
 *
 * | field type  | Parquet (as DuckDB reads it)           | normalized JS value          |
 * | ----------- | -------------------------------------- | ---------------------------- |
 * | `str`       | VARCHAR                                | string                       |
 * | `int`       | BIGINT                                 | number (bigint when unsafe)  |
 * | `float`     | DOUBLE                                 | number                       |
 * | `bool`      | BOOLEAN                                | boolean                      |
 * | `timestamp` | TIMESTAMP WITH TIME ZONE (UTC, micros) | epoch milliseconds           |
 * | list of any | LIST<VARCHAR>                          | string[] (items stringified) |
 *
 * @module
 */
import type { ManifestField, ManifestValueType } from "../schema/manifest_field.ts";
import type { ManifestValue } from "./aggregate.ts";
import {
  BoolBuilder,
  type ColumnBuilder,
  FloatBuilder,
  IntBuilder,
  KeyBuilder,
  ListBuilder,
  StringBuilder,
  TimeBuilder,
  toMs,
  toStr,
} from "./_column_builders.ts";
import { type ColumnData, NumberColumn } from "../parquet/column_data.ts";
import type {
  ParquetOutColumn,
  ParquetSchemaColumn,
  ParquetType,
} from "../parquet/parquet_writer.ts";

/** One column type. */
export interface ColumnType {
  /** How the Parquet writer stores the column. */
  parquet: ParquetType;
  /**
   * A builder of one shard's column, fed the field's values as the samples hold them (or already
   * normalized: list items are then taken as the strings they are), with room for `capacity`
   * rows at first.
   */
  builder(capacity?: number, normalized?: boolean): ColumnBuilder;
}

interface Scalar extends ColumnType {
  /** The normalized value of one sample's value, or null (for list items). */
  normalize(v: unknown): ManifestValue | null;
}

const scalars: Record<ManifestValueType, Scalar> = {
  str: { parquet: "string", normalize: toStr, builder: (n) => new StringBuilder(n) },
  int: {
    parquet: "int64",
    normalize: (v) =>
      typeof v === "bigint"
        ? (Number.isSafeInteger(Number(v)) ? Number(v) : v)
        : typeof v === "number" && Number.isFinite(v)
        ? Math.trunc(v)
        : null,
    builder: (n) => new IntBuilder(n),
  },
  float: {
    parquet: "double",
    normalize: (v) => (typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : null),
    builder: (n) => new FloatBuilder(n),
  },
  bool: {
    parquet: "boolean",
    normalize: (v) => (typeof v === "boolean" ? v : null),
    builder: (n) => new BoolBuilder(n),
  },
  timestamp: { parquet: "timestamp", normalize: toMs, builder: (n) => new TimeBuilder(n) },
};

const lists = new Map<ManifestValueType, ColumnType>();

/** The column type of a manifest field. */
export function columnType(field: ManifestField): ColumnType {
  const scalar = scalars[field.type];
  if (!scalar) {
    throw new TypeError(`Manifest field "${field.name}" has unknown type "${field.type}"`);
  }
  if (!field.list) return scalar;
  let list = lists.get(field.type);
  if (!list) {
    const timestamp = field.type === "timestamp";
    const strings = field.type === "str";
    list = {
      parquet: "string_list",
      builder: (n, normalized) =>
        new ListBuilder(scalar.normalize, timestamp, strings || normalized === true, n),
    };
    lists.set(field.type, list);
  }
  return list;
}

/** A field's column from an array of its values. */
export function collectColumn(
  field: ManifestField,
  values: readonly unknown[],
  normalized?: boolean,
): ColumnData {
  const builder = columnType(field).builder(values.length, normalized);
  for (const v of values) builder.push(v);
  return builder.finish();
}

/** The key column of an array of sample keys. */
export function collectKeys(keys: readonly string[]): ColumnData {
  const builder = new KeyBuilder();
  for (const key of keys) builder.push(key);
  return builder.finish();
}

/** The Parquet columns' names and types of a manifest with `fields`. */
export function manifestParquetSchema(fields: readonly ManifestField[]): ParquetSchemaColumn[] {
  return [
    { name: "__key__", type: "string" },
    { name: "__offset__", type: "int64" },
    { name: "__size__", type: "int64" },
    ...fields.map((f) => ({ name: f.name, type: columnType(f).parquet })),
  ];
}

/**
 * The Parquet columns of a manifest (as {@linkcode manifestParquetSchema} names them), `data[i]`
 * the column of `fields[i]`.
 */
export function manifestParquetColumns(
  keys: ColumnData,
  offsets: readonly number[] | Float64Array,
  sizes: readonly number[] | Float64Array,
  fields: readonly ManifestField[],
  data: readonly ColumnData[],
): ParquetOutColumn[] {
  const ints = (xs: readonly number[] | Float64Array) =>
    new NumberColumn(xs instanceof Float64Array ? xs : Float64Array.from(xs), undefined, 0);
  const columnData = [keys, ints(offsets), ints(sizes), ...data];
  return manifestParquetSchema(fields).map((c, i) => ({ ...c, data: columnData[i]! }));
}
