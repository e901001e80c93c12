import assert from "node:assert/strict";
import { ListBuilder, toStr } from "./_column_builders.ts";
import { ListColumn, ListParts } from "../parquet/column_data.ts";
import { categoryKey } from "./categorical_aggregate.ts";

/** A list builder of `str` items (numbers stringified), fed `rows`. */
function built(rows: unknown[], strings = true) {
  const b = new ListBuilder(toStr, false, strings);
  for (const r of rows) b.push(r);
  return b;
}

Deno.test("ListBuilder codes few distinct items itself and hands many on as text, same column", () => {
  let seed = 11;
  const rand = (n: number) => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n;
  const few = Array.from(
    { length: 2000 },
    (_, i) => i % 97 === 0 ? null : Array.from({ length: rand(4) }, () => `tag-${rand(40)}`),
  );
  // Distinct items from the start: past 256 of them, more than half of the items are distinct.
  const many = Array.from(
    { length: 2000 },
    (_, i) =>
      i % 97 === 0 ? "not a list" : Array.from({ length: 1 + rand(3) }, () => `id-${rand(1e9)}`),
  );
  // Few distinct at first, then so many that coding gives up late: the text is built afresh.
  const late = [...few.slice(0, 1000), ...many, ...many.map((r) => Array.isArray(r) ? [] : r)];
  const cases = [[few, ListColumn], [many, ListParts], [late, ListParts]] as const;
  for (const [rows, kind] of cases) {
    const parts = built(rows).finishParts();
    assert.ok(parts instanceof kind, `expected ${kind.name}`);
    const column = built(rows).finish();
    const expected = rows.map((r) => Array.isArray(r) ? r : null);
    assert.deepEqual(Array.from({ length: rows.length }, (_, i) => column.value(i)), expected);
    const items = expected.flatMap((r) => r ?? []);
    assert.deepEqual(column.dict, [...new Set(items)]); // first-seen order, each once
    assert.equal(column.nullCount, rows.length - rows.filter(Array.isArray).length);
  }
});

Deno.test("ListBuilder normalizes items that are not strings and drops null items", () => {
  const rows = [[1, 2, null], [2, "x"], [], [true]];
  const column = built(rows, false).finish();
  const key = (v: unknown) => categoryKey(toStr(v)!, false);
  assert.deepEqual(column.value(0), [key(1), key(2)]);
  assert.deepEqual(column.value(1), [key(2), "x"]);
  assert.deepEqual(column.value(2), []);
  assert.deepEqual(column.value(3), [key(true)]);
  assert.ok(built(rows, false).finishParts() instanceof ListColumn);
});
