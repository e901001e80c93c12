/**
 * The sample locations of a query's DataFrame (its `__shard__`, `__key__`, `__offset__` and
 * `__size__` columns), built when asked for.
 *
 * @module
 */
import type pl from "nodejs-polars";
import type { SampleLocation } from "./query.ts";

/** One location per row of `df`. */
export function locationsOf(df: pl.DataFrame): SampleLocation[] {
  if (df.height === 0) return [];
  const shard = df.getColumn("__shard__").toArray() as string[];
  const key = df.getColumn("__key__").toArray() as string[];
  const offset = df.getColumn("__offset__").toArray() as unknown as (number | bigint | null)[];
  const size = df.getColumn("__size__").toArray() as unknown as (number | bigint)[];
  return key.map((k, r) => ({
    shard: shard[r]!,
    key: k,
    offset: offset[r] === null ? null : Number(offset[r]),
    size: Number(size[r]),
  }));
}
