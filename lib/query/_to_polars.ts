/**
 * DuckDB result columns to a nodejs-polars DataFrame with explicit dtypes: 64-bit integers as
 * `Int64` (from BigInt, exactly), timestamps as `Datetime("us", "UTC")` (the scan selects them
 * as epoch microseconds), lists as `List(Utf8)`. Building Series from plain JS values would
 * guess dtypes (BigInts become nulls, Dates long strings).
 *
 * @module
 */
import pl from "nodejs-polars";
import type { FieldInfo } from "./field_catalog.ts";

/** The polars dtype of a catalog field. */
export function dtypeOf(f: Pick<FieldInfo, "type" | "list">): pl.DataType {
  if (f.list) return pl.List(pl.Utf8);
  switch (f.type) {
    case "str":
      return pl.Utf8;
    case "int":
      return pl.Int64;
    case "float":
      return pl.Float64;
    case "bool":
      return pl.Bool;
    case "timestamp":
      return pl.Datetime("us", "UTC");
  }
}

function int64(name: string, values: readonly unknown[]): pl.Series {
  const n = values.length;
  const data = new BigInt64Array(n);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) nulls++;
    else data[i] = typeof v === "bigint" ? v : BigInt(Math.trunc(Number(v)));
  }
  // The typings omit BigInt64Array, which polars reads as Int64 (BigInt arrays read as nulls).
  const series = pl.Series(name, data as unknown as number[]);
  if (nulls === 0) return series;
  const valid = pl.Series("__valid__", values.map((v) => v !== null && v !== undefined));
  return pl.DataFrame([series, valid])
    .select(pl.when(pl.col("__valid__")).then(pl.col(name)).otherwise(pl.lit(null)).alias(name))
    .getColumn(name);
}

/**
 * One Series from a DuckDB column: `sqlType` is DuckDB's type of the column as selected,
 * `field` the catalog's idea of it (used when DuckDB says NULL: a column absent from every file).
 */
export function toSeries(
  name: string,
  values: readonly unknown[],
  sqlType: string,
  field?: Pick<FieldInfo, "type" | "list">,
): pl.Series {
  if (field?.type === "timestamp" && !field.list) {
    return int64(name, values).cast(pl.Datetime("us", "UTC"));
  }
  if (
    /^(BIGINT|INTEGER|SMALLINT|TINYINT|UBIGINT|UINTEGER|USMALLINT|UTINYINT|HUGEINT)$/.test(sqlType)
  ) {
    return int64(name, values);
  }
  if (/^(DOUBLE|FLOAT|DECIMAL)/.test(sqlType)) {
    return pl.Series(name, values.map((v) => (v === null ? null : Number(v))), pl.Float64);
  }
  if (sqlType === "BOOLEAN") return pl.Series(name, values as (boolean | null)[], pl.Bool);
  if (sqlType === "VARCHAR") return pl.Series(name, values as (string | null)[], pl.Utf8);
  if (sqlType.endsWith("[]")) {
    return listSeries(name, values.map((v) => (v === null ? null : (v as unknown[]).map(String))));
  }
  const dtype = field ? dtypeOf(field) : pl.Utf8;
  if (values.every((v) => v === null)) {
    if (field?.list) return listSeries(name, values as null[]);
    return pl.Series(name, new Array(values.length).fill(null), dtype);
  }
  return pl.Series(name, values.map((v) => (v === null ? null : String(v))), pl.Utf8);
}

/**
 * A `List(Utf8)` Series. polars 0.25 refuses to build one from no values or only nulls, so a
 * first placeholder value is added and sliced off.
 */
export function listSeries(name: string, values: readonly (string[] | null)[]): pl.Series {
  return pl.Series(name, [[""], ...values], pl.List(pl.Utf8)).slice(1, values.length);
}
