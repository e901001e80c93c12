import assert from "node:assert/strict";
import { scanTar } from "./scan_tar.ts";
import { ShardError } from "./shard_error.ts";
import type { TarEntry } from "./tar_entry.ts";
import { chunks, collect, concat, EOF_BLOCKS, gnuLong, header, member, pax } from "./_test_tars.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

function summary(entries: TarEntry[]) {
  return entries.map((
    e,
  ) => [e.name, e.type, e.size, e.headerOffset, e.dataOffset, e.end, text(e.data)]);
}

Deno.test("scanTar reads ustar members with offsets", async () => {
  const tar = concat(
    member("a.txt", "hello"),
    member("dir/", "", { type: "5" }),
    member("b.txt", "x".repeat(600)),
    EOF_BLOCKS,
  );
  const entries = await collect(scanTar(tar));
  assert.deepEqual(summary(entries), [
    ["a.txt", "0", 5, 0, 512, 1024, "hello"],
    ["dir/", "5", 0, 1024, 1536, 1536, ""],
    ["b.txt", "0", 600, 1536, 2048, 3072, "x".repeat(600)],
  ]);
  assert.equal(entries[0]!.mode, 0o644);
});

Deno.test("scanTar hands out views of the input when a chunk holds the member", async () => {
  const tar = concat(member("a.bin", new Uint8Array([1, 2, 3])), EOF_BLOCKS);
  const [entry] = await collect(scanTar(tar));
  assert.equal(entry!.data.buffer, tar.buffer);
  assert.equal(entry!.data.byteOffset, 512);
});

Deno.test("scanTar gives the same entries for any chunking", async () => {
  const tar = concat(
    pax({ path: "long/" + "p".repeat(150) + ".txt", mtime: "1.5" }),
    member("short.txt", "pax data"),
    gnuLong("gnu/" + "g".repeat(200) + ".bin"),
    member("././@LongLink-ignored", "gnu data", { magic: "gnu" }),
    member("c.txt", "y".repeat(1500)),
    EOF_BLOCKS,
  );
  const whole = summary(await collect(scanTar(tar)));
  assert.equal(whole.length, 3);
  assert.equal(whole[0]![0], "long/" + "p".repeat(150) + ".txt");
  assert.equal(whole[0]![3], 0);
  assert.equal(whole[1]![0], "gnu/" + "g".repeat(200) + ".bin");
  for (const sizes of [[1], [7, 511], [512], [513, 100], [4096], [3, 1000, 17]]) {
    assert.deepEqual(summary(await collect(scanTar(chunks(tar, sizes)))), whole, `chunks ${sizes}`);
  }
});

Deno.test("scanTar applies PAX size overrides and global headers", async () => {
  const tar = concat(
    pax({ comment: "global" }, "g"),
    pax({ size: "5" }),
    header({ name: "a.txt", size: 0 }),
    new Uint8Array(512).fill(0x61, 0, 5),
    member("b.txt", "bb"),
    EOF_BLOCKS,
  );
  const entries = await collect(scanTar(tar));
  assert.deepEqual(
    summary(entries).map((e) => [e[0], e[2], e[3], text(new TextEncoder().encode(e[6] as string))]),
    [
      ["a.txt", 5, 1024, "aaaaa"],
      ["b.txt", 2, 3072, "bb"],
    ],
  );
});

Deno.test("scanTar reads GNU base-256 sizes, long links, ustar prefixes and v7 headers", async () => {
  const size = new Uint8Array(12);
  size[0] = 0x80;
  size[11] = 3;
  const tar = concat(
    member("big.bin", "abc", { sizeField: size, magic: "gnu" }),
    gnuLong("target/" + "t".repeat(120), "K"),
    member("link", "", { type: "2", magic: "gnu" }),
    member("name.txt", "p", { prefix: "some/prefix" }),
    member("v7.txt", "v", { magic: "v7", type: "\0" }),
    EOF_BLOCKS,
  );
  const entries = await collect(scanTar(tar));
  assert.deepEqual(entries.map((e) => [e.name, e.type, e.size, e.linkname]), [
    ["big.bin", "0", 3, ""],
    ["link", "2", 0, "target/" + "t".repeat(120)],
    ["some/prefix/name.txt", "0", 1, ""],
    ["v7.txt", "0", 1, ""],
  ]);
});

Deno.test("scanTar accepts a tar without end-of-archive blocks and stops at the first zero block", async () => {
  assert.equal((await collect(scanTar(member("a.txt", "a")))).length, 1);
  const tar = concat(member("a.txt", "a"), EOF_BLOCKS, member("after.txt", "ignored"));
  assert.deepEqual((await collect(scanTar(tar))).map((e) => e.name), ["a.txt"]);
});

Deno.test("scanTar gunzips on the gzip magic", async () => {
  const tar = concat(member("a.txt", "zipped"), EOF_BLOCKS);
  const gz = new Uint8Array(
    await new Response(new Blob([tar]).stream().pipeThrough(new CompressionStream("gzip")))
      .arrayBuffer(),
  );
  const entries = await collect(scanTar(chunks(gz, [1, 5, 100])));
  assert.deepEqual(summary(entries), [["a.txt", "0", 6, 0, 512, 1024, "zipped"]]);
  const stream = new Blob([gz]).stream();
  assert.equal((await collect(scanTar(stream)))[0]!.name, "a.txt");
});

Deno.test("scanTar reports corrupt gzip as invalid_gzip", async () => {
  const bad = new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4]);
  await assert.rejects(
    collect(scanTar(bad, { url: "x.tar.gz" })),
    (e: ShardError) => e.code === "invalid_gzip" && e.shard === "x.tar.gz",
  );
});

Deno.test("scanTar reports a checksum mismatch with shard and offset", async () => {
  const tar = concat(member("a.txt", "a"), member("b.txt", "b"), EOF_BLOCKS);
  tar[1029] = tar[1029]! ^ 1;
  await assert.rejects(collect(scanTar(tar, { url: "s.tar" })), (e: unknown) => {
    assert.ok(e instanceof ShardError);
    assert.equal(e.code, "checksum_mismatch");
    assert.equal(e.offset, 1024);
    assert.equal(e.message, 'Cannot read shard "s.tar": header checksum mismatch at byte 1024');
    return true;
  });
  const skipped: ShardError[] = [];
  const names = (await collect(scanTar(tar, { onError: "skip", skipped }))).map((e) => e.name);
  assert.deepEqual(names, ["a.txt"]);
  assert.deepEqual(skipped.map((e) => e.code), ["checksum_mismatch"]);
});

Deno.test("scanTar reports truncation inside a header, data and padding", async () => {
  const tar = concat(member("a.txt", "a"), member("b.txt", "bbb"));
  for (const cut of [1024 + 300, 1024 + 513, 1024 + 600]) {
    await assert.rejects(
      collect(scanTar(tar.subarray(0, cut), { url: "t.tar" })),
      (e: ShardError) => e.code === "truncated" && e.offset === 1024 && e.shard === "t.tar",
    );
  }
  await assert.rejects(
    collect(scanTar(tar.subarray(0, 700))),
    (e: ShardError) => e.code === "truncated" && e.offset === 0,
  );
  await assert.rejects(
    collect(scanTar(pax({ path: "x" }))),
    (e: ShardError) => e.code === "truncated" && e.offset === 0,
  );
});

Deno.test("scanTar skips an oversized member without buffering it", async () => {
  const tar = concat(member("big.bin", new Uint8Array(3000)), member("ok.txt", "ok"), EOF_BLOCKS);
  await assert.rejects(
    collect(scanTar(tar, { maxMemberSize: 1000 })),
    (e: ShardError) => e.code === "member_too_large" && e.offset === 0,
  );
  const seen: ShardError[] = [];
  const entries = await collect(
    scanTar(chunks(tar, [100]), { maxMemberSize: 1000, onError: (e) => seen.push(e) }),
  );
  assert.deepEqual(entries.map((e) => e.name), ["ok.txt"]);
  assert.equal(seen[0]!.path, "big.bin");
});

Deno.test("scanTar rejects a malformed size field as invalid_header", async () => {
  const h = header({ name: "a.txt", sizeField: new TextEncoder().encode("12x45\0") });
  await assert.rejects(
    collect(scanTar(concat(h, EOF_BLOCKS))),
    (e: ShardError) => e.code === "invalid_header" && e.offset === 0,
  );
  await assert.rejects(
    collect(scanTar(concat(member("././@PaxHeader", "garbage", { type: "x" }), member("a", "")))),
    (e: ShardError) => e.code === "invalid_header",
  );
});

Deno.test("scanTar cancels a stream it stops reading", async () => {
  let cancelled = false;
  const tar = concat(member("a.txt", "a"), EOF_BLOCKS);
  const stream = new ReadableStream<Uint8Array>({
    pull: (c) => c.enqueue(tar.slice()),
    cancel: () => void (cancelled = true),
  });
  assert.equal((await collect(scanTar(stream))).length, 1);
  assert.ok(cancelled);
});
