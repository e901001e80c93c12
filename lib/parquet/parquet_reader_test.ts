import assert from "node:assert/strict";
import { readLayout, readNumberColumn } from "./parquet_reader.ts";
import { encodeParquet } from "./parquet_writer.ts";
import { NumberColumn } from "./column_data.ts";
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
