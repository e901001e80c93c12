/**
 * Manifest column types by value type (a table, not a switch): how a sample's field value is
 * normalized, which DuckDB/Parquet type stores it, and how it goes into a DuckDB vector.
 *
 * | field type  | Parquet (DuckDB)        | normalized JS value          |
 * | ----------- | ----------------------- | ---------------------------- |
 * | `str`       | VARCHAR                 | string                       |
 * | `int`       | BIGINT                  | number (bigint when unsafe)  |
 * | `float`     | DOUBLE                  | number                       |
 * | `bool`      | BOOLEAN                 | boolean                      |
 * | `timestamp` | TIMESTAMP WITH TIME ZONE (UTC, micros) | epoch milliseconds |
 * | list of any | LIST<VARCHAR>           | string[] (items stringified) |
 *
 * @module
 */
import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  DuckDBTimestampTZValue,
  type DuckDBType,
  LIST,
  listValue,
  TIMESTAMPTZ,
  VARCHAR,
} from "@duckdb/node-api";
import type { ManifestField, ManifestValueType } from "../schema/manifest_field.ts";
import type { ManifestValue } from "./aggregate.ts";
import { categoryKey } from "./categorical_aggregate.ts";

/** One column type. */
export interface ColumnType {
  /** DDL type. */
  sql: string;
  /** DuckDB type of the data chunk vector. */
  duck: DuckDBType;
  /** The normalized value of a sample's field, or null. */
  normalize(value: unknown): ManifestValue | null;
  /** The vector item of a normalized non-null value. */
  item(value: ManifestValue): unknown;
}

function toNumber(v: unknown): number | null {
  const x = typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : Number.NaN;
  return Number.isNaN(x) && typeof v !== "number" ? null : x;
}

const scalarTypes: Record<ManifestValueType, ColumnType> = {
  str: {
    sql: "VARCHAR",
    duck: VARCHAR,
    normalize: (v) =>
      typeof v === "string"
        ? v
        : typeof v === "number" || typeof v === "bigint" || typeof v === "boolean"
        ? String(v)
        : null,
    item: (v) => v,
  },
  int: {
    sql: "BIGINT",
    duck: BIGINT,
    normalize: (v) =>
      typeof v === "bigint"
        ? (Number.isSafeInteger(Number(v)) ? Number(v) : v)
        : typeof v === "number" && Number.isFinite(v)
        ? Math.trunc(v)
        : null,
    item: (v) => (typeof v === "bigint" ? v : BigInt(v as number)),
  },
  float: { sql: "DOUBLE", duck: DOUBLE, normalize: toNumber, item: (v) => v },
  bool: {
    sql: "BOOLEAN",
    duck: BOOLEAN,
    normalize: (v) => (typeof v === "boolean" ? v : null),
    item: (v) => v,
  },
  timestamp: {
    sql: "TIMESTAMPTZ",
    duck: TIMESTAMPTZ,
    normalize: (v) => {
      const ms = v instanceof Date
        ? v.getTime()
        : typeof v === "number"
        ? v
        : typeof v === "string"
        ? Date.parse(v)
        : Number.NaN;
      return Number.isFinite(ms) ? ms : null;
    },
    item: (v) => new DuckDBTimestampTZValue(BigInt(Math.round((v as number) * 1000))),
  },
};

const listTypes = new Map<ManifestValueType, ColumnType>();

/** The column type of a manifest field. */
export function columnType(field: ManifestField): ColumnType {
  const scalar = scalarTypes[field.type];
  if (!scalar) {
    throw new TypeError(`Manifest field "${field.name}" has unknown type "${field.type}"`);
  }
  if (!field.list) return scalar;
  let list = listTypes.get(field.type);
  if (!list) {
    const timestamp = field.type === "timestamp";
    list = {
      sql: "VARCHAR[]",
      duck: LIST(VARCHAR),
      normalize: (v) => {
        if (!Array.isArray(v)) return null;
        const out: string[] = [];
        for (const item of v) {
          const n = scalar.normalize(item);
          if (n !== null) out.push(categoryKey(n, timestamp));
        }
        return out;
      },
      item: (v) => listValue(v as string[]),
    };
    listTypes.set(field.type, list);
  }
  return list;
}
