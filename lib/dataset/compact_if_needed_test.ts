import assert from "node:assert/strict";
import { MemoryStore } from "../store/memory_store.ts";
import { StoreError } from "../store/store_error.ts";
import { writeShards } from "./write_shards.ts";
import { readIndex } from "./dataset_index.ts";
import { generateSamples, ImageSample } from "../manifest/_test_fixtures.ts";

const fragments = async (store: MemoryStore) => {
  let n = 0;
  for await (const _ of store.list("ds/_index/shards/")) n++;
  return n;
};

Deno.test("writeShards compacts the index once its fragments reach compactAt", async () => {
  const store = new MemoryStore();
  const write = (start: number, shards: number) =>
    writeShards(store, "ds/shard-%06d.tar", generateSamples(shards * 2, { seed: start }), {
      schema: ImageSample,
      maxcount: 2,
      startIndex: start,
      compactAt: 5,
    });
  await write(0, 3);
  assert.equal(await fragments(store), 3);
  assert.equal((await readIndex(store, "ds")).generation, 0);
  await write(3, 3); // 6 >= 5: compacted by the writer
  assert.equal(await fragments(store), 0);
  const index = await readIndex(store, "ds");
  assert.equal(index.generation, 1);
  assert.equal(index.entries.length, 6);
  await writeShards(store, "ds/shard-%06d.tar", generateSamples(20), {
    schema: ImageSample,
    maxcount: 2,
    startIndex: 6,
    compactAt: false,
  });
  assert.equal(await fragments(store), 10);
});

/** A memory store that refuses every write into `ds/_index/` but a fragment's. */
class RefusesCompaction extends MemoryStore {
  override put(...args: Parameters<MemoryStore["put"]>): Promise<void> {
    const [key] = args;
    if (key.startsWith("ds/_index/") && !key.startsWith("ds/_index/shards/")) {
      return Promise.reject(new StoreError("io", `Cannot write "${key}": refused`, { key }));
    }
    return super.put(...args);
  }
}

Deno.test("writeShards reports a failed compaction as a warning and keeps what it wrote", async () => {
  const store = new RefusesCompaction();
  const result = await writeShards(store, "ds/shard-%06d.tar", generateSamples(6, { seed: 1 }), {
    schema: ImageSample,
    maxcount: 2,
    compactAt: 2,
  });
  assert.equal(result.shards.length, 3);
  assert.deepEqual(
    (result.warnings ?? []).map((w) => [w.stage, w.dataset, w.code]),
    [["compact", "ds", "io"]],
  );
  assert.match(result.warnings![0]!.message, /refused/);
  // Committed and indexed by their fragments: nothing undone.
  const index = await readIndex(store, "ds");
  assert.equal(index.generation, 0);
  assert.deepEqual(
    index.entries.map((e) => e.shard).sort(),
    result.shards.map((s) => s.key).sort(),
  );
  for (const s of result.shards) {
    assert.ok(await store.head(s.key.replace(".tar", ".manifest.json")));
  }
  assert.equal(await fragments(store), 3);
});
