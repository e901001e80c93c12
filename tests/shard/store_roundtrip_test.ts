/**
 * ShardWriter -> local store -> scanSamples over a brace pattern: every sample comes back
 * intact (also after the scan moved on: the data views are never overwritten), and each
 * sample's [offset, offset + size) read with one ranged get is a tar of exactly that sample.
 */
import assert from "node:assert/strict";
import { expandBraces, scanSamples, ShardWriter, type TarSample } from "../../lib/shard/mod.ts";
import { LocalStore } from "../../lib/store/local_store.ts";
import { collect } from "../../lib/shard/_test_tars.ts";

function files(i: number): Record<string, Uint8Array> {
  let seed = i + 1;
  const rand = (n: number) =>
    new Uint8Array(n).map(() => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
  return {
    jpg: rand(100 + ((i * 7919) % 150_000)), // some members span many stream chunks
    json: new TextEncoder().encode(JSON.stringify({ i })),
    cls: new TextEncoder().encode(String(i % 10)),
  };
}

Deno.test("ShardWriter shards in a local store read back intact, sample by sample and by range", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new LocalStore(dir);
    const writer = new ShardWriter(store, "ds/shard-%06d.tar", { maxsize: 2_000_000 });
    const n = 60;
    for (let i = 0; i < n; i++) await writer.write({ __key__: `sample-${i}`, files: files(i) });
    const shards = await writer.close();
    assert.ok(shards.length > 1);
    const pattern = `ds/shard-{000000..${String(shards.length - 1).padStart(6, "0")}}.tar`;
    const all: TarSample[] = [];
    for (const key of expandBraces(pattern)) {
      all.push(...await collect(scanSamples(await store.getStream(key), { url: key })));
    }
    // Checked only after every shard was scanned: views into stream chunks stay valid.
    assert.equal(all.length, n);
    for (const [i, s] of all.entries()) {
      assert.equal(s.__key__, `sample-${i}`);
      assert.deepEqual(s.files, files(i));
    }
    for (const s of all) {
      const bytes = await store.get(s.__url__, { range: { offset: s.offset, length: s.size } });
      const alone = await collect(scanSamples(bytes));
      assert.equal(alone.length, 1);
      assert.equal(alone[0]!.__key__, s.__key__);
      assert.deepEqual(alone[0]!.files, s.files);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
