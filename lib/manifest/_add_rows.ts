/**
 * The fallback of an aggregate without `addColumn`: a column counted value by value.
 *
 * @module
 */
import type { ColumnData } from "../parquet/column_data.ts";
import type { Accumulator } from "./aggregate.ts";

/** Counts a column into an accumulator value by value (for aggregates without `addColumn`). */
export function addRows(acc: Accumulator<unknown>, column: ColumnData): void {
  for (let row = 0; row < column.length; row++) {
    const v = column.value(row);
    if (v === null) acc.addNull();
    else acc.add(v);
  }
}
