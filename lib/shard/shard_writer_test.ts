import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { LocalStore } from "../store/local_store.ts";
import { MemoryStore } from "../store/memory_store.ts";
import type { PutBody, PutOptions, Store } from "../store/store.ts";
import { scanSamples } from "./scan_samples.ts";
import { type ShardInfo, shardName, type ShardSampleInfo, ShardWriter } from "./shard_writer.ts";
import { collect } from "./_test_tars.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const sample = (i: number, size = 10) => ({
  __key__: `s${String(i).padStart(4, "0")}`,
  files: { txt: bytes(String(i)), bin: new Uint8Array(size).fill(i & 0xff) },
});

async function keys(store: Store, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const o of store.list(prefix)) out.push(o.key);
  return out;
}

Deno.test("shardName formats %d and %0Nd", () => {
  assert.equal(shardName("a-%06d.tar", 7), "a-000007.tar");
  assert.equal(shardName("a-%d.tar", 1234), "a-1234.tar");
  assert.throws(() => shardName("a.tar", 0), RangeError);
});

Deno.test("ShardWriter rotates at maxcount, names shards from startIndex, feeds hooks", async () => {
  const store = new MemoryStore();
  const seen: ShardSampleInfo<unknown>[] = [];
  const closed: [ShardInfo, boolean][] = [];
  const writer = new ShardWriter(store, "ds/shard-%06d.tar", {
    maxcount: 3,
    startIndex: 5,
    onSample: (info) => seen.push(info),
    onShardClose: async (info) =>
      void closed.push([info, (await store.head(info.key)) !== undefined]),
  });
  for (let i = 0; i < 7; i++) await writer.write(sample(i));
  const shards = await writer.close();
  assert.deepEqual(shards.map((s) => [s.key, s.index, s.numSamples, s.last]), [
    ["ds/shard-000005.tar", 5, 3, false],
    ["ds/shard-000006.tar", 6, 3, false],
    ["ds/shard-000007.tar", 7, 1, true],
  ]);
  assert.deepEqual(
    closed.map(([info, visible]) => [info.key, visible]),
    shards.map((s) => [s.key, true]),
  );
  assert.deepEqual(await keys(store), shards.map((s) => s.key));
  // Hooks report what the reader finds, byte for byte.
  const read = [];
  for (const s of shards) {
    const tar = await store.get(s.key);
    assert.equal(tar.length, s.sizeBytes);
    assert.equal(createHash("sha256").update(tar).digest("hex"), s.sha256);
    for (const r of await collect(scanSamples(tar, { url: s.key }))) {
      read.push([r.__url__, r.__key__, r.offset, r.size]);
    }
  }
  assert.deepEqual(read, seen.map((x) => [x.shard, x.key, x.offset, x.size]));
  // Each hook call carries the sample as written, in order.
  assert.deepEqual(seen.map((x) => x.sample), Array.from({ length: 7 }, (_, i) => sample(i)));
});

Deno.test("ShardWriter rotates at maxsize", async () => {
  const store = new MemoryStore();
  const writer = new ShardWriter(store, "ds/%03d.tar", { maxsize: 5000 });
  for (let i = 0; i < 6; i++) writer.write(sample(i, 1500)); // not awaited: writes queue in order
  const shards = await writer.close();
  // Each sample is 512 + 512 + 512 + 1536 = 3072 bytes: a second one crosses 5000.
  assert.deepEqual(shards.map((s) => s.numSamples), [2, 2, 2]);
});

Deno.test("ShardWriter encodes typed samples with the encode option", async () => {
  const store = new MemoryStore();
  const writer = new ShardWriter<{ id: string; label: number }>(store, "t-%d.tar", {
    encode: (s) => ({ __key__: s.id, files: { cls: bytes(String(s.label)) } }),
    onSample: (info) => assert.equal(typeof info.sample.label, "number"),
  });
  await writer.write({ id: "a", label: 1 });
  await writer.write({ id: "b", label: 2 });
  await writer.close();
  const samples = await collect(scanSamples(await store.get("t-0.tar")));
  assert.deepEqual(samples.map((s) => [s.__key__, new TextDecoder().decode(s.files.cls)]), [[
    "a",
    "1",
  ], ["b", "2"]]);
});

Deno.test("ShardWriter streams each shard to the store while writing", async () => {
  const inner = new MemoryStore();
  const puts: { key: string; streamed: boolean }[] = [];
  const store: Store = Object.assign(Object.create(inner), {
    put: (key: string, body: PutBody, options?: PutOptions) => {
      puts.push({ key, streamed: body instanceof ReadableStream });
      return inner.put(key, body, options);
    },
  });
  const writer = new ShardWriter(store, "s-%d.tar");
  await writer.write(sample(0));
  assert.deepEqual(puts, [{ key: "s-0.tar", streamed: true }]); // started before close
  assert.equal(await inner.head("s-0.tar"), undefined); // not visible yet
  await writer.close();
  assert.ok(await inner.head("s-0.tar"));
});

Deno.test("ShardWriter waits for a slow store (backpressure)", async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const inner = new MemoryStore();
  const store: Store = Object.assign(Object.create(inner), {
    put: async (key: string, body: PutBody) => {
      await gate;
      return inner.put(key, body);
    },
  });
  const writer = new ShardWriter(store, "s-%d.tar", { highWaterMark: 4096 });
  let done = false;
  const write = writer.write(sample(0, 10_000)).then(() => (done = true));
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
  assert.equal(done, false);
  release();
  await write;
  assert.equal((await writer.close())[0]!.numSamples, 1);
});

Deno.test("ShardWriter abort leaves nothing visible, not even temp files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new LocalStore(dir);
    const writer = new ShardWriter(store, "ds/shard-%06d.tar", { maxcount: 2 });
    for (let i = 0; i < 5; i++) await writer.write(sample(i));
    assert.equal(writer.shards.length, 2);
    await writer.abort();
    assert.deepEqual(await keys(store), []);
    const files: string[] = [];
    for await (const e of Deno.readDir(`${dir}/ds`)) files.push(e.name);
    assert.deepEqual(files, []);
    await assert.rejects(writer.write(sample(9)), TypeError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ShardWriter fails a bad sample's write only", async () => {
  const store = new MemoryStore();
  const writer = new ShardWriter(store, "s-%d.tar");
  await writer.write(sample(0));
  await assert.rejects(writer.write({ __key__: "a.b", files: { txt: bytes("x") } }), RangeError);
  await writer.write(sample(1));
  const [info] = await writer.close();
  assert.equal(info!.numSamples, 2);
});

Deno.test("ShardWriter surfaces a store failure and writes nothing more", async () => {
  const inner = new MemoryStore();
  const store: Store = Object.assign(Object.create(inner), {
    put: async (_key: string, body: PutBody) => {
      await (body as ReadableStream).cancel();
      throw new Error("disk full");
    },
  });
  const writer = new ShardWriter(store, "s-%d.tar");
  await assert.rejects(async () => {
    for (let i = 0; i < 100; i++) await writer.write(sample(i));
    await writer.close();
  }, /disk full|stopped reading/);
  await assert.rejects(writer.close());
  assert.deepEqual(await keys(inner), []);
});

Deno.test("ShardWriter with no samples writes no shard", async () => {
  const store = new MemoryStore();
  const writer = new ShardWriter(store, "s-%d.tar");
  assert.deepEqual(await writer.close(), []);
  assert.deepEqual(await keys(store), []);
});
