import assert from "node:assert/strict";
import { isUnsafePath, scanSamples, splitSampleName } from "./scan_samples.ts";
import type { ShardError } from "./shard_error.ts";
import type { TarSample } from "./tar_sample.ts";
import { chunks, collect, concat, EOF_BLOCKS, fixChecksum, member, pax } from "./_test_tars.ts";

const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

function brief(samples: TarSample[]) {
  return samples.map((s) => [s.__key__, s.offset, s.size, Object.keys(s.files).join(",")]);
}

Deno.test("splitSampleName follows the webdataset rules", () => {
  assert.deepEqual(splitSampleName("a/b.seg.PNG"), { key: "a/b", ext: "seg.png" });
  assert.deepEqual(splitSampleName("x.y/z.jpg"), { key: "x.y/z", ext: "jpg" });
  assert.deepEqual(splitSampleName("k."), { key: "k", ext: "" });
  for (const skip of ["noext", "dir/noext", ".hidden", "d/.hidden", "__meta__", "dir.d/"]) {
    assert.equal(splitSampleName(skip), undefined, skip);
  }
  assert.deepEqual(splitSampleName("__key__.json"), { key: "__key__", ext: "json" });
});

Deno.test("isUnsafePath flags absolute names and .. segments", () => {
  for (
    const bad of [
      "/etc/passwd.txt",
      "../up.txt",
      "a/../../b.txt",
      "a/..",
      "C:/x.txt",
      "c:\\x.txt",
      "\\x.txt",
      "a\\..\\b.txt",
    ]
  ) {
    assert.ok(isUnsafePath(bad), bad);
  }
  for (const ok of ["a/b.txt", "a..b.txt", "..a/b.txt", "a/b..txt"]) {
    assert.ok(!isUnsafePath(ok), ok);
  }
});

Deno.test("scanSamples groups consecutive members by key with byte ranges", async () => {
  const tar = concat(
    member("s1.jpg", "J1"), // 0
    member("s1.CLS", "1"), // 1024
    member("dir/s2.seg.png", "P2"), // 2048
    member("dir/s2.json", "{}"), // 3072
    member("s3.txt", "t3"), // 4096
    EOF_BLOCKS,
  );
  const samples = await collect(scanSamples(tar, { url: "shard.tar" }));
  assert.deepEqual(brief(samples), [
    ["s1", 0, 2048, "jpg,cls"],
    ["dir/s2", 2048, 2048, "seg.png,json"],
    ["s3", 4096, 1024, "txt"],
  ]);
  assert.equal(samples[0]!.__url__, "shard.tar");
  assert.equal(text(samples[1]!.files["seg.png"]), "P2");
});

Deno.test("scanSamples includes extension headers in a sample's range and skips non-samples", async () => {
  const tar = concat(
    member("__meta__", "m"),
    member("dir/", "", { type: "5" }),
    pax({ path: "long/" + "k".repeat(120) + ".txt" }), // 1536
    member("placeholder", "L"),
    member("readme", "no dot"),
    member("link.txt", "", { type: "2", linkname: "x" }),
    member("s.bin", "B"), // 5120
    EOF_BLOCKS,
  );
  const samples = await collect(scanSamples(tar));
  assert.deepEqual(brief(samples), [
    ["long/" + "k".repeat(120), 1536, 2048, "txt"],
    ["s", 5120, 1024, "bin"],
  ]);
});

Deno.test("scanSamples byte ranges are tars of exactly their sample", async () => {
  const tar = concat(
    pax({ path: "a.json", mtime: "1.25" }),
    member("ignored", "{}"),
    member("a.txt", "A"),
    member("b.txt", "B".repeat(700)),
    pax({ path: "c/" + "x".repeat(200) + ".txt" }),
    member("ignored", "C"),
    EOF_BLOCKS,
  );
  const samples = await collect(scanSamples(chunks(tar, [300])));
  assert.equal(samples.length, 3);
  for (const s of samples) {
    const [again, ...rest] = await collect(scanSamples(tar.subarray(s.offset, s.offset + s.size)));
    assert.equal(rest.length, 0);
    assert.equal(again!.__key__, s.__key__);
    assert.deepEqual(Object.keys(again!.files), Object.keys(s.files));
    for (const ext of Object.keys(s.files)) assert.deepEqual(again!.files[ext], s.files[ext]);
  }
});

Deno.test("scanSamples reports a duplicate extension and skips that whole sample", async () => {
  const tar = concat(
    member("a.txt", "1"),
    member("b.txt", "2"),
    member("b.TXT", "3"),
    member("b.json", "4"),
    member("c.txt", "5"),
    EOF_BLOCKS,
  );
  await assert.rejects(collect(scanSamples(tar, { url: "d.tar" })), (e: ShardError) => {
    assert.equal(e.code, "duplicate_extension");
    assert.equal(e.key, "b");
    assert.equal(e.offset, 2048);
    assert.equal(e.shard, "d.tar");
    assert.equal(
      e.message,
      'Cannot read shard "d.tar": duplicate extension "txt" in sample "b" at byte 2048',
    );
    return true;
  });
  const skipped: ShardError[] = [];
  const samples = await collect(scanSamples(tar, { onError: "skip", skipped }));
  assert.deepEqual(samples.map((s) => s.__key__), ["a", "c"]);
  assert.deepEqual(skipped.map((e) => [e.code, e.key]), [["duplicate_extension", "b"]]);
});

Deno.test("scanSamples skips unsafe and invalid names per sample", async () => {
  const bad = member("x".repeat(10) + ".txt", "bad");
  bad.set([0x62, 0xff, 0xfe, 0x2e, 0x74, 0x78, 0x74, 0], 0); // "b\xff\xfe.txt"
  fixChecksum(bad);
  const tar = concat(
    member("/abs.txt", "1"),
    member("ok1.txt", "2"),
    member("../up.txt", "3"),
    member("../up.json", "3"),
    bad,
    member("ok2.txt", "4"),
    EOF_BLOCKS,
  );
  const errors: ShardError[] = [];
  const samples = await collect(scanSamples(tar, { url: "u.tar", onError: (e) => errors.push(e) }));
  assert.deepEqual(samples.map((s) => s.__key__), ["ok1", "ok2"]);
  assert.deepEqual(errors.map((e) => [e.code, e.key, e.offset, e.shard]), [
    ["unsafe_path", "/abs", 0, "u.tar"],
    ["unsafe_path", "../up", 2048, "u.tar"],
    ["invalid_name", "b\ufffd\ufffd", 4096, "u.tar"],
  ]);
});

Deno.test("scanSamples ends with the error after an unrecoverable header, dropping the open sample", async () => {
  const tar = concat(member("a.txt", "1"), member("b.txt", "2"), member("b.json", "3"), EOF_BLOCKS);
  tar[2048 + 10] = 0x41; // corrupt b.json's header
  const skipped: ShardError[] = [];
  const samples = await collect(scanSamples(tar, { onError: "skip", skipped, url: "c.tar" }));
  assert.deepEqual(samples.map((s) => s.__key__), ["a"]);
  // The error, then the open sample "b" (its members may continue past the bad header).
  assert.deepEqual(skipped.map((e) => [e.code, e.offset, e.shard, e.key]), [
    ["checksum_mismatch", 2048, "c.tar", undefined],
    ["checksum_mismatch", 1024, "c.tar", "b"],
  ]);
  await assert.rejects(
    collect(scanSamples(tar.subarray(0, 2100))),
    (e: ShardError) => e.code === "truncated",
  );
});

Deno.test("scanSamples skips a member over maxMemberSize with its sample", async () => {
  const tar = concat(
    member("a.txt", "1"),
    member("a.bin", new Uint8Array(5000)),
    member("b.txt", "2"),
    EOF_BLOCKS,
  );
  const skipped: ShardError[] = [];
  const samples = await collect(
    scanSamples(chunks(tar, [1000]), { maxMemberSize: 4096, onError: "skip", skipped }),
  );
  assert.deepEqual(samples.map((s) => s.__key__), ["b"]);
  assert.deepEqual(skipped.map((e) => [e.code, e.key, e.offset]), [[
    "member_too_large",
    "a",
    1024,
  ]]);
});

Deno.test("scanSamples guards against __proto__ extensions", async () => {
  const tar = concat(member("a.__proto__", "p"), member("a.constructor", "c"), EOF_BLOCKS);
  const [s] = await collect(scanSamples(tar));
  assert.deepEqual(Object.keys(s!.files), ["__proto__", "constructor"]);
  assert.equal(Object.getPrototypeOf(s!.files), Object.prototype);
});

Deno.test("scanSamples ignores oversized or oddly named members that are no sample files", async () => {
  const dir = member(new Uint8Array([0x64, 0xff, 0x2f]), "", { type: "5" });
  const tar = concat(
    member("__meta__", new Uint8Array(5000)),
    member("README", new Uint8Array(5000)),
    dir,
    member("a.txt", "1"),
    EOF_BLOCKS,
  );
  const samples = await collect(scanSamples(tar, { maxMemberSize: 4096 }));
  assert.deepEqual(samples.map((s) => s.__key__), ["a"]);
});

Deno.test("scanSamples exposes skipped errors on the scan itself", async () => {
  const tar = concat(member("a.txt", "1"), member("a.TXT", "2"), member("b.txt", "3"), EOF_BLOCKS);
  const scan = scanSamples(tar, { onError: "skip" });
  assert.deepEqual((await collect(scan)).map((s) => s.__key__), ["b"]);
  assert.deepEqual(scan.skipped.map((e) => e.code), ["duplicate_extension"]);
});
