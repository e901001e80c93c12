/**
 * Pruning reads only the categorical values a `where` tests (`comparedValues`): every way a
 * predicate looks a value up must be among them, or a shard holding it is pruned. Expected rows
 * come from the samples written, not from the code under test.
 */
import assert from "node:assert/strict";
import { countRows, type Predicate, pruneShards, query } from "../../lib/query/mod.ts";
import { defineSchema, f } from "../../lib/schema/mod.ts";
import { compactIndex, readIndexColumns, writeShards } from "../../lib/dataset/mod.ts";
import { MemoryStore } from "../../lib/store/mod.ts";

const Flags = defineSchema({
  name: "Flags",
  version: "1.0.0",
  fields: { flag: f.bool(), n: f.int() },
});

Deno.test("query: a bool field used as a condition beside a comparison of it keeps the shards where it is true", async () => {
  const store = new MemoryStore();
  // Shard 0: flag true everywhere; shard 1: false everywhere; shard 2: both.
  const samples = Array.from({ length: 30 }, (_, i) => ({
    __key__: `k${String(i).padStart(3, "0")}`,
    flag: i < 10 ? true : i < 20 ? false : i % 2 === 0,
    n: i,
  }));
  await writeShards(store, "ds/shard-%06d.tar", samples, {
    schema: Flags,
    maxcount: 10,
    compactAt: false,
  });
  const cacheDir = await Deno.makeTempDir({ prefix: "query-cache-" });
  try {
    const cases: [string, (s: typeof samples[number]) => boolean][] = [
      ["flag = false OR flag", () => true],
      ["flag OR flag = false", () => true],
      ["flag AND flag <> false", (s) => s.flag],
      ["(flag OR n > 100) AND flag IN (true, false)", (s) => s.flag],
      ["NOT flag OR flag = false", (s) => !s.flag],
    ];
    for (const stage of ["fragments", "compacted"]) {
      if (stage === "compacted") await compactIndex(store, "ds");
      for (const [where, keep] of cases) {
        const expected = samples.filter(keep).map((s) => s.__key__);
        const r = await query(store, "ds", { where, cacheDir });
        assert.deepEqual(
          r.df.getColumn("__key__").toArray().sort(),
          expected,
          `${stage}: ${where}`,
        );
        const c = await countRows(store, "ds", { where, cacheDir });
        assert.equal(c.count, expected.length, `${stage}: countRows ${where}`);
      }
    }
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("query: a value starting with ':' of a wide categorical prunes by its own count, not a neighbour's", async () => {
  const store = new MemoryStore();
  const S = defineSchema({ name: "W", version: "1.0.0", fields: { w: f.str() } });
  const shards = [
    [",", ",", ",", ",", ",", ":7,z", "v"], // `{",":5,":7,z":1,"v":1}`: 7 rows, none ":5,"
    [",", ",", ",", ",", ",", ":5,", ":5,"], // `{",":5,":5,":2}`
    Array.from({ length: 70 }, (_, i) => `v${i}`), // past 64 values: counts stored as JSON
  ];
  const samples = shards.map((words, s) =>
    words.map((w, j) => ({ __key__: `s${s}-${String(j).padStart(3, "0")}`, w }))
  );
  for (const [s, rows] of samples.entries()) {
    await writeShards(store, "ds/shard-%06d.tar", rows, {
      schema: S,
      startIndex: s,
      compactAt: false,
    });
  }
  await compactIndex(store, "ds");
  const cacheDir = await Deno.makeTempDir({ prefix: "query-cache-" });
  try {
    for (
      const [where, keep] of [
        ["w <> ':5,'", (w: string) => w !== ":5,"],
        ["w = ':5,'", (w: string) => w === ":5,"],
        ["w IN (':5,', ':7,z')", (w: string) => w === ":5," || w === ":7,z"],
      ] as const
    ) {
      const expected = samples.flat().filter((s) => keep(s.w)).map((s) => s.__key__);
      const r = await query(store, "ds", { where, cacheDir });
      assert.deepEqual(r.df.getColumn("__key__").toArray().sort(), expected, where);
    }
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("pruneShards does not prune by a categorical value the index was not read for", async () => {
  const store = new MemoryStore();
  const Labels = defineSchema({ name: "Labels", version: "1.0.0", fields: { label: f.str() } });
  // Shard 0: cats only; shard 1: dogs only.
  const samples = ["cat", "cat", "dog", "dog"].map((label, i) => ({ __key__: `k${i}`, label }));
  await writeShards(store, "ds/shard-%06d.tar", samples, { schema: Labels, maxcount: 2 });
  const predicate: Predicate = {
    op: "cmp",
    cmp: "=",
    left: { kind: "field", name: "label" },
    right: { kind: "lit", lit: { type: "str", value: "cat" } },
  };
  // Read for "cat": shard 1 (no cat) is pruned, shard 0 kept.
  const read = await readIndexColumns(store, "ds", {
    fields: ["label"],
    values: { label: ["cat"] },
  });
  assert.deepEqual([...pruneShards(read, predicate).mayMatch], [1, 0]);
  // Read for "dog" only: "cat" is unknown, nothing may be pruned by it.
  const other = await readIndexColumns(store, "ds", {
    fields: ["label"],
    values: { label: ["dog"] },
  });
  assert.deepEqual([...pruneShards(other, predicate).mayMatch], [1, 1]);
});
