import assert from "node:assert/strict";
import { byteText, readLayout, readNumberColumn, readTextColumn } from "./parquet_reader.ts";
import { encodeParquet } from "./parquet_writer.ts";
import { NumberColumn, StringColumn } from "./column_data.ts";
import { withConnection, withTempFile } from "./duckdb.ts";

Deno.test("readNumberColumn reads what DuckDB reads: ints of every width, doubles, nulls, row groups", async () => {
  let seed = 7;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const n = 5000;
  const ints = Float64Array.from(
    { length: n },
    (_, i) => i % 3 === 0 ? Math.floor(rand() * 2 ** 40) - 2 ** 39 : Math.floor(rand() * (i % 50)),
  );
  // Deltas of 26 to 33 bits: the unpacker's one-word and two-word cases at every bit offset.
  const wide = Float64Array.from({ length: n }, (_, i) => Math.floor(rand() * 2 ** (25 + (i % 9))));
  const doubles = Float64Array.from({ length: n }, () => (rand() - 0.5) * 1e6);
  const nulls = Uint8Array.from({ length: n }, () => (rand() < 0.2 ? 1 : 0));
  const nullCount = nulls.reduce((a, b) => a + b, 0);
  const bytes = encodeParquet(
    [
      { name: "i", type: "int64", data: new NumberColumn(ints, nulls, nullCount) },
      { name: "d", type: "double", data: new NumberColumn(doubles, nulls, nullCount) },
      { name: "k", type: "int64", data: new NumberColumn(ints, undefined, 0) },
      { name: "w", type: "int64", data: new NumberColumn(wide, undefined, 0) },
    ],
    n,
    { rowGroupSize: 1200 },
  );
  const read = (o: number, l: number) => Promise.resolve(bytes.subarray(o, o + l));
  const layout = (await readLayout(read, bytes.length))!;
  const mine = {
    i: await readNumberColumn(read, layout, "i"),
    d: await readNumberColumn(read, layout, "d"),
    k: await readNumberColumn(read, layout, "k"),
    w: await readNumberColumn(read, layout, "w"),
  };
  const duck = await withTempFile(".parquet", undefined, async (path) => {
    await Deno.writeFile(path, bytes);
    return await withConnection(async (con) => {
      const r = await con.runAndReadAll(
        `SELECT coalesce(i::DOUBLE, 'NaN'), coalesce(d, 'NaN'), k::DOUBLE, w::DOUBLE FROM read_parquet('${path}')`,
      );
      return r.getColumns().map((c) => Float64Array.from(c as number[]));
    });
  });
  assert.deepEqual(mine.i, duck[0]);
  assert.deepEqual(mine.d, duck[1]);
  assert.deepEqual(mine.k, duck[2]);
  assert.deepEqual(mine.w, duck[3]);
  assert.equal(await readNumberColumn(read, layout, "absent"), undefined);
});

Deno.test("readTextColumn reads what DuckDB reads: nulls, non-ASCII, row groups, zstd and none", async () => {
  let seed = 3;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const n = 3000;
  const dict = Array.from(
    { length: n },
    (_, i) => JSON.stringify({ [`k${i % 97}`]: i, [`é€${i % 5}`]: Math.floor(rand() * 1e6) }),
  );
  const codes = Int32Array.from({ length: n }, (_, i) => (rand() < 0.15 ? -1 : i));
  const used = [...new Set([...codes].filter((c) => c >= 0))];
  const local = new Map(used.map((c, k) => [c, k]));
  const data = new StringColumn(
    used.map((c) => dict[c]!),
    codes.map((c) => (c < 0 ? -1 : local.get(c)!)),
    codes.filter((c) => c < 0).length,
  );
  for (const compression of ["zstd", "none"] as const) {
    const bytes = encodeParquet([{ name: "j", type: "string", data }], n, {
      rowGroupSize: 700,
      compression,
    });
    const read = (o: number, l: number) => Promise.resolve(bytes.subarray(o, o + l));
    const col = (await readTextColumn(read, (await readLayout(read, bytes.length))!, "j"))!;
    const bytesOf = (row: number) => col.text.slice(col.starts[row], col.starts[row + 1]);
    const mine = Array.from(
      { length: n },
      (_, i) =>
        col.nulls[i] ? null : new TextDecoder().decode(Uint8Array.from(bytesOf(i), cp1252Byte)),
    );
    const duck = await withTempFile(".parquet", undefined, async (path) => {
      await Deno.writeFile(path, bytes);
      return await withConnection(async (con) =>
        (await con.runAndReadAll(`SELECT j FROM read_parquet('${path}')`)).getColumns()[0]!
      );
    });
    assert.deepEqual(mine, duck, compression);
    // A pattern found by byte offset: every row holding key "k5".
    const key = byteText('"k5":');
    const hits = new Set<number>();
    for (let at = col.text.indexOf(key); at >= 0; at = col.text.indexOf(key, at + 1)) {
      let row = 0;
      while (col.starts[row + 1]! <= at) row++;
      hits.add(row);
    }
    assert.deepEqual(
      [...hits].sort((a, b) => a - b),
      duck.flatMap((v, i) => (typeof v === "string" && v.includes('"k5":') ? [i] : [])),
    );
  }
});

/** The byte a windows-1252 character stands for (the inverse of `byteText`'s decoding). */
const CP1252 = new Map(
  Array.from(
    { length: 256 },
    (_, b) => [new TextDecoder("windows-1252").decode(new Uint8Array([b])), b],
  ),
);
function cp1252Byte(ch: string): number {
  const b = CP1252.get(ch);
  if (b === undefined) throw new Error(`not a windows-1252 character: ${ch}`);
  return b;
}
