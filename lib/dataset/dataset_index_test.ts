import assert from "node:assert/strict";
import { MemoryStore } from "../store/memory_store.ts";
import { StoreError } from "../store/store_error.ts";
import { readIndex, scanIndex } from "./dataset_index.ts";
import { compactIndex } from "./compact_index.ts";
import { rebuildIndex } from "./rebuild_index.ts";
import { removeFromIndex } from "./remove_from_index.ts";
import { writeShards } from "./write_shards.ts";
import { generateSamples, ImageSample, putAtdataManifest } from "../manifest/_test_fixtures.ts";

async function write(store: MemoryStore, start: number, shards: number) {
  return await writeShards(
    store,
    "ds/shard-%06d.tar",
    generateSamples(shards * 5, { seed: start }),
    {
      schema: ImageSample,
      maxcount: 5,
      startIndex: start,
    },
  );
}

const keys = async (store: MemoryStore, prefix: string) => {
  const out: string[] = [];
  for await (const { key } of store.list(prefix)) out.push(key);
  return out;
};

Deno.test("readIndex sees every committed shard through fragments, before and after compaction", async () => {
  const store = new MemoryStore();
  await write(store, 0, 3);
  let index = await readIndex(store, "ds");
  assert.equal(index.generation, 0);
  assert.deepEqual(index.entries.map((e) => e.shard), [
    "ds/shard-000000.tar",
    "ds/shard-000001.tar",
    "ds/shard-000002.tar",
  ]);
  const result = await compactIndex(store, "ds");
  assert.deepEqual(result, { generation: 1, written: true, shards: 3, fragmentsRemoved: 3 });
  assert.deepEqual(await keys(store, "ds/_index/compacted-"), [
    "ds/_index/compacted-00000001.json",
  ]);
  assert.deepEqual(await keys(store, "ds/_index/shards/"), []);
  await write(store, 3, 2);
  index = await readIndex(store, "ds");
  assert.equal(index.generation, 1);
  assert.equal(index.fragments, 2);
  assert.equal(index.entries.length, 5);
  assert.deepEqual(index.entries[4]?.header, (await readIndex(store, "ds")).entries[4]?.header);
  assert.equal((await compactIndex(store, "ds")).shards, 5);
  assert.equal((await compactIndex(store, "ds")).written, false);
  assert.equal((await readIndex(store, "ds")).entries.length, 5);
});

Deno.test("concurrent compactions: one generation wins, no fragment is lost", async () => {
  const store = new MemoryStore();
  await write(store, 0, 4);
  const results = await Promise.all([
    compactIndex(store, "ds"),
    compactIndex(store, "ds"),
    compactIndex(store, "ds"),
  ]);
  assert.equal(results.filter((r) => r.written).length, 1);
  await write(store, 4, 2);
  await Promise.all([compactIndex(store, "ds"), write(store, 6, 1), compactIndex(store, "ds")]);
  await compactIndex(store, "ds");
  const index = await readIndex(store, "ds");
  assert.equal(index.entries.length, 7);
  assert.equal(index.fragments, 0);
});

Deno.test("readIndex starts over when a compaction removes fragments it listed", async () => {
  const store = new MemoryStore();
  await write(store, 0, 3);
  const get = store.get.bind(store);
  let compacted = false;
  store.get = async (key, options) => {
    if (!compacted && key.includes("_index/shards/")) {
      compacted = true;
      await compactIndex(store, "ds");
      store.get = get;
    }
    return await get(key, options);
  };
  const index = await readIndex(store, "ds");
  assert.ok(compacted);
  assert.equal(index.generation, 1);
  assert.equal(index.entries.length, 3);
});

Deno.test("rebuildIndex rebuilds from the manifests, atdata's included, and drops stale entries", async () => {
  const store = new MemoryStore();
  await write(store, 0, 2);
  await compactIndex(store, "ds");
  await putAtdataManifest(store, "ds/atdata-000000");
  // A shard whose manifest was removed must leave the index on rebuild.
  await store.delete("ds/shard-000001.manifest.json");
  const result = await rebuildIndex(store, "ds");
  assert.equal(result.shards, 2);
  const index = await readIndex(store, "ds");
  assert.deepEqual(index.entries.map((e) => e.shard), [
    "ds/atdata-000000.tar",
    "ds/shard-000000.tar",
  ]);
  assert.equal(index.entries[0]?.header.schema_type, "TestSample");
});

Deno.test("a lost compaction race deletes nothing", async () => {
  const store = new MemoryStore();
  await write(store, 0, 2);
  const put = store.put.bind(store);
  store.put = async (key, body, options) => {
    if (key.includes("compacted-")) throw new StoreError("already_exists", "raced", { key });
    return await put(key, body, options);
  };
  const result = await compactIndex(store, "ds");
  assert.equal(result.written, false);
  assert.equal((await keys(store, "ds/_index/shards/")).length, 2);
});

Deno.test("removeFromIndex hides a compacted shard until it is committed again", async () => {
  const store = new MemoryStore();
  await write(store, 0, 3);
  await compactIndex(store, "ds");
  await removeFromIndex(store, "ds/shard-000001.tar");
  assert.deepEqual((await readIndex(store, "ds")).entries.map((e) => e.shard), [
    "ds/shard-000000.tar",
    "ds/shard-000002.tar",
  ]);
  // The task reruns: outputs are deleted and written again under the same names.
  for (const suffix of ["manifest.json", "manifest.parquet", "tar"]) {
    await store.delete(`ds/shard-000001.${suffix}`);
  }
  const rerun = await writeShards(store, "ds/shard-%06d.tar", generateSamples(7, { seed: 99 }), {
    schema: ImageSample,
    startIndex: 1,
  });
  const index = await readIndex(store, "ds");
  assert.equal(index.entries.length, 3);
  assert.equal(index.entries[1]?.header.checksum_sha256, rerun.shards[0]?.sha256);
  assert.equal(index.entries[1]?.header.num_samples, 7);
  await compactIndex(store, "ds");
  assert.deepEqual(await keys(store, "ds/_index/compacted-"), [
    "ds/_index/compacted-00000001.json",
    "ds/_index/compacted-00000002.json",
  ]);
  assert.deepEqual(await keys(store, "ds/_index/removed/"), []);
  assert.equal((await readIndex(store, "ds")).entries[1]?.header.num_samples, 7);
  await removeFromIndex(store, "ds/shard-000002.tar");
  await compactIndex(store, "ds");
  assert.equal((await readIndex(store, "ds")).entries.length, 2);
});

Deno.test("scanIndex streams the entries readIndex gives, batch by batch", async () => {
  const store = new MemoryStore();
  await write(store, 0, 4);
  await compactIndex(store, "ds");
  await write(store, 4, 2);
  await compactIndex(store, "ds");
  await write(store, 6, 2);
  await removeFromIndex(store, "ds/shard-000005.tar");
  const batches: string[][] = [];
  for await (const batch of scanIndex(store, "ds")) batches.push(batch.map((e) => e.name));
  assert.ok(batches.length >= 3); // two segments, then the fragments
  const expected = (await readIndex(store, "ds")).entries.map((e) => e.name);
  assert.deepEqual(batches.flat().sort(), expected);
  assert.equal(expected.length, 7);
});
