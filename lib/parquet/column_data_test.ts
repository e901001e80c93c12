import assert from "node:assert/strict";
import { ListParts } from "./column_data.ts";

/** The ListParts of `rows` (items back to back) and the expected dictionary coding. */
function partsOf(rows: string[][]) {
  const items = rows.flat();
  const offsets = new Int32Array(rows.length + 1);
  rows.forEach((r, i) => (offsets[i + 1] = offsets[i]! + r.length));
  const parts = new ListParts(
    items.join(""),
    Int32Array.from(items, (s) => s.length),
    offsets,
    undefined,
    0,
  );
  const dict = [...new Set(items)];
  const codes = items.map((s) => dict.indexOf(s));
  return { parts, dict, codes };
}

Deno.test("ListParts codes items in first-seen order, ASCII and not, through table growth", () => {
  let seed = 7;
  const rand = (n: number) => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n;
  for (const pool of [["a"], ["", "x", "xx"], ["ключ", "😀", "a"]]) {
    // Items from a small pool, then thousands of distinct ones (the table grows and rehashes),
    // some sharing prefixes and lengths ("t1", "t10", "t100"), empty ones included.
    const rows = Array.from(
      { length: 3000 },
      (_, i) =>
        Array.from(
          { length: rand(4) },
          () => i < 1000 ? pool[rand(pool.length)]! : `t${rand(i)}${i % 7 === 0 ? "" : "-"}`,
        ),
    );
    const { parts, dict, codes } = partsOf(rows);
    const column = parts.column();
    assert.deepEqual(column.dict, dict);
    assert.deepEqual([...column.codes], codes);
    assert.deepEqual(column.value(5), rows[5]);
    assert.ok(dict.length > 1000);
  }
});
