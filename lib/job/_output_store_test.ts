import assert from "node:assert/strict";
import { MemoryStore, StoreError } from "../store/mod.ts";
import { outputOnlyStore } from "./_output_store.ts";

Deno.test("a task job's store reads anywhere and writes only under the job's output", async () => {
  const store = new MemoryStore();
  await store.put("raw/a.tar", "source");
  const io = outputOnlyStore(store, "out/");
  assert.equal(new TextDecoder().decode(await io.get("raw/a.tar")), "source");
  await io.put("out/shard-000000-000.tar", "copy");
  await io.put("out/_index/shards/shard-000000-000.json", "{}");
  await io.delete("out/_index/shards/shard-000000-000.json");
  assert.ok(await store.head("out/shard-000000-000.tar"));
  for (const key of ["raw/a.tar", "outside.tar", "out", "outer/x", "_jobs/j-1/job.json"]) {
    await assert.rejects(() => io.put(key, "x"), (e: unknown) => {
      assert.ok(e instanceof StoreError && e.code === "invalid_key" && e.key === key);
      return true;
    });
    await assert.rejects(() => io.delete(key), StoreError);
  }
  await assert.rejects(() => io.put("out/../raw/a.tar", "x"), StoreError);
  assert.equal(new TextDecoder().decode(await store.get("raw/a.tar")), "source");
  assert.deepEqual(Object.keys(io).sort(), [
    "delete",
    "get",
    "getStream",
    "head",
    "list",
    "put",
    "url",
  ]);
});
