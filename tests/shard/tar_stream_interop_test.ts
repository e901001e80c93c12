/**
 * Cross-tests with tar-stream, the reference JavaScript tar implementation: it reads what
 * shardline writes, and shardline reads what it writes.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { once } from "node:events";
import tarStream from "tar-stream";
import { scanSamples, scanTar, ShardWriter, TarWriter } from "../../lib/shard/mod.ts";
import { MemoryStore } from "../../lib/store/memory_store.ts";
import { chunks, collect } from "../../lib/shard/_test_tars.ts";

type Member = { name: string; data: Uint8Array };

const NAMES = [
  "a.txt",
  "dir/b.seg.png",
  "p/".repeat(60) + "prefixed.txt", // ustar prefix split
  "x".repeat(140) + ".bin", // PAX path
  "ünï/çødé.json", // UTF-8
];

function members(): Member[] {
  return NAMES.map((name, i) => ({
    name,
    data: new Uint8Array(i * 700 + 1).map((_, j) => (i + j) & 0xff),
  }))
    .concat([{ name: "large.bin", data: new Uint8Array(150_000).fill(3) }]);
}

async function readWithTarStream(tar: Uint8Array): Promise<Member[]> {
  const extract = tarStream.extract();
  const out: Member[] = [];
  const done = (async () => {
    for await (const entry of extract) {
      const parts: Uint8Array[] = [];
      for await (const part of entry) parts.push(part as Uint8Array);
      out.push({ name: entry.header.name, data: new Uint8Array(Buffer.concat(parts)) });
    }
  })();
  for await (const c of chunks(tar, [4000])) {
    if (!extract.write(Buffer.from(c))) await once(extract, "drain");
  }
  extract.end(undefined);
  await done;
  return out;
}

async function writeWithTarStream(list: Member[]): Promise<Uint8Array> {
  const pack = tarStream.pack();
  const parts: Uint8Array[] = [];
  pack.on("data", (c: unknown) => parts.push(c as Uint8Array));
  const ended = once(pack, "end");
  for (const m of list) {
    await new Promise<void>((resolve, reject) =>
      pack.entry(
        { name: m.name, size: m.data.length, mtime: new Date(0) },
        Buffer.from(m.data),
        (e: unknown) => e ? reject(e) : resolve(),
      )
    );
  }
  pack.finalize();
  await ended;
  return new Uint8Array(Buffer.concat(parts));
}

Deno.test("tar-stream reads TarWriter output", async () => {
  const list = members();
  const w = new TarWriter();
  for (const m of list) w.writeFile(m.name, m.data);
  const read = await readWithTarStream(w.finishBytes());
  assert.deepEqual(read.map((m) => m.name), list.map((m) => m.name));
  for (const [i, m] of read.entries()) assert.deepEqual(m.data, list[i]!.data, m.name);
});

Deno.test("scanTar reads tar-stream output", async () => {
  const list = members();
  const tar = await writeWithTarStream(list);
  for (const source of [tar, chunks(tar, [1000, 3])]) {
    const read = await collect(scanTar(source));
    assert.deepEqual(read.map((e) => e.name), list.map((m) => m.name));
    for (const [i, e] of read.entries()) assert.deepEqual(e.data, list[i]!.data, e.name);
  }
});

Deno.test("tar-stream reads ShardWriter shards and agrees on sample ranges", async () => {
  const store = new MemoryStore();
  const writer = new ShardWriter(store, "ds/shard-%06d.tar", { maxcount: 40 });
  for (let i = 0; i < 100; i++) {
    await writer.write({
      __key__: `k/${i}`,
      files: { jpg: new Uint8Array(i * 13).fill(i), cls: new TextEncoder().encode(String(i % 7)) },
    });
  }
  const shards = await writer.close();
  assert.equal(shards.length, 3);
  let total = 0;
  for (const shard of shards) {
    const tar = await store.get(shard.key);
    const theirs = await readWithTarStream(tar);
    const ours = await collect(scanSamples(tar, { url: shard.key }));
    total += ours.length;
    assert.deepEqual(
      theirs.map((m) => m.name),
      ours.flatMap((s) => Object.keys(s.files).map((e) => `${s.__key__}.${e}`)),
    );
    for (const s of ours) {
      const range = await store.get(shard.key, { range: { offset: s.offset, length: s.size } });
      assert.deepEqual((await readWithTarStream(range)).map((m) => m.name), [
        `${s.__key__}.jpg`,
        `${s.__key__}.cls`,
      ]);
    }
  }
  assert.equal(total, 100);
});
