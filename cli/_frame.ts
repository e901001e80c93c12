/**
 * A query's DataFrame as JSON-ready rows for the CLI: 64-bit integers as numbers when exact
 * (else strings), timestamps as ISO 8601, lists as arrays.
 *
 * @module
 */
import pl from "nodejs-polars";

/** Column `name` of `df` as JSON-ready values. */
function jsonColumn(df: pl.DataFrame, name: string): unknown[] {
  const col = df.getColumn(name);
  const dtype = String(col.dtype);
  if (dtype.includes("Int64")) {
    return (col.cast(pl.Utf8).toArray() as (string | null)[]).map((v) => {
      if (v === null) return null;
      const n = Number(v);
      return Number.isSafeInteger(n) ? n : v;
    });
  }
  if (dtype.includes("Datetime")) {
    return (col.toArray() as unknown as (Date | null)[]).map((d) => d?.toISOString() ?? null);
  }
  return col.toArray() as unknown[];
}

/** One plain object per row. */
export function frameRows(df: pl.DataFrame): Record<string, unknown>[] {
  const cols = df.columns.map((c) => [c, jsonColumn(df, c)] as const);
  return Array.from(
    { length: df.height },
    (_, r) => Object.fromEntries(cols.map(([c, v]) => [c, v[r]])),
  );
}

/** The frame with list columns as JSON text (CSV cannot hold lists). */
export function flatFrame(df: pl.DataFrame): pl.DataFrame {
  return pl.DataFrame(df.columns.map((c) => {
    const col = df.getColumn(c);
    if (!String(col.dtype).includes("List")) return col;
    return pl.Series(
      c,
      (col.toArray() as unknown[]).map((v) => (v === null ? null : JSON.stringify(v))),
      pl.Utf8,
    );
  }));
}
