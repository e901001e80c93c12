/**
 * Explicit polars dtypes of catalog fields, for frames built in JS (an empty result): 64-bit
 * integers `Int64`, timestamps `Datetime("us", "UTC")`, lists `List(Utf8)`. Rows themselves
 * reach polars as DuckDB-written Parquet (see `_scan.ts`), never as JS values.
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

/**
 * A `List(Utf8)` Series. polars 0.25 refuses to build one from no values or only nulls, so a
 * first placeholder value is added and sliced off.
 */
export function listSeries(name: string, values: readonly (string[] | null)[]): pl.Series {
  return pl.Series(name, [[""], ...values], pl.List(pl.Utf8)).slice(1, values.length);
}
