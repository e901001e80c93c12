/**
 * Helpful failures where notebooks read data: an unknown dataset is a not-found error naming it
 * and the datasets that exist beside it (not an empty result); an argument of the wrong kind is
 * an ArgumentError naming the function and the parameter.
 */
import assert from "node:assert/strict";
import {
  datasetStats,
  defineSchema,
  f,
  LocalStore,
  plotCounts,
  plotHistogram,
  query,
  readIndex,
  verifyDataset,
  writeShards,
} from "../../mod.ts";
import { ArgumentError } from "../../lib/util/mod.ts";

const S = defineSchema({
  name: "S",
  version: "1.0.0",
  fields: { label: f.str(), score: f.float() },
});

async function withStore(fn: (store: LocalStore) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "shardline-nb-errors-" });
  try {
    const store = new LocalStore(dir);
    const samples = [{ __key__: "a", label: "cat", score: 0.5 }];
    for (const ds of ["raw/images", "raw/labels"]) {
      await writeShards(store, `${ds}/shard-%06d.tar`, samples, { schema: S });
    }
    await store.put("raw/notes/readme.txt", "not a dataset");
    await fn(store);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("reading an unknown dataset names it and the datasets beside it", async () => {
  await withStore(async (store) => {
    const readers: [string, () => Promise<unknown>][] = [
      ["datasetStats", () => datasetStats(store, "raw/imgs")],
      ["readIndex", () => readIndex(store, "raw/imgs")],
      ["query", () => query(store, "raw/imgs", { where: "label = 'cat'" })],
      ["plotHistogram", () => plotHistogram(store, "raw/imgs", "score")],
      ["plotCounts", () => plotCounts(store, "raw/imgs", "label")],
      ["verifyDataset", () => verifyDataset(store, "raw/imgs")],
    ];
    for (const [name, read] of readers) {
      await assert.rejects(read(), (err: Error & { code?: string }) => {
        assert.equal(err.code, "not_found", name);
        assert.match(err.message, /Dataset "raw\/imgs" not found/, name);
        assert.match(err.message, /datasets under "raw\/": images, labels$/, name);
        return true;
      });
    }
    // An existing dataset still reads.
    assert.equal((await datasetStats(store, "raw/images")).num_samples, 1);
  });
});

Deno.test("arguments of the wrong kind name the function and the parameter", async () => {
  await withStore(async (store) => {
    const cases: [() => Promise<unknown>, string, string][] = [
      [() => datasetStats("./data" as never, "raw/images"), "datasetStats", "store"],
      [() => readIndex(store, undefined as never), "readIndex", "dataset"],
      [() => query({} as never, "raw/images"), "query", "store"],
      [() => plotHistogram(store, "raw/images", 7 as never), "plotHistogram", "field"],
    ];
    for (const [call, fn, parameter] of cases) {
      await assert.rejects(call(), (err: unknown) => {
        assert.ok(err instanceof ArgumentError, String(err));
        assert.equal(err.code, "invalid_argument");
        assert.equal(err.function, fn);
        assert.equal(err.parameter, parameter);
        return true;
      });
    }
  });
});
