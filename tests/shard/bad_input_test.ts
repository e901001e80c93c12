/**
 * Bad shards, streamed from a local store: each problem gives a ShardError with its code, the
 * shard, the sample key (where there is one) and the byte offset; `onError: "skip"` reports
 * it and goes on where the stream can be resynchronised.
 */
import assert from "node:assert/strict";
import { LocalStore } from "../../lib/store/local_store.ts";
import type { Store } from "../../lib/store/store.ts";
import {
  scanSamples,
  type ScanSamplesOptions,
  ShardError,
  type ShardErrorCode,
  ShardWriter,
} from "../../lib/shard/mod.ts";
import { collect, concat, EOF_BLOCKS, fixChecksum, member } from "../../lib/shard/_test_tars.ts";
import { needs, PYTHON, python, pythonHas } from "../_tools.ts";

const noPython = needs(`Python 3 with tarfile (${PYTHON})`, pythonHas("tarfile"), "python3");

interface Outcome {
  keys: string[];
  errors: [ShardErrorCode, string | undefined, number | undefined, string | undefined][];
}

async function withStore(fn: (store: Store) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(new LocalStore(dir));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Scans `key` twice: throwing (returns the error) and skipping (returns what survived). */
async function scan(
  store: Store,
  key: string,
  options: ScanSamplesOptions = {},
): Promise<[ShardError, Outcome]> {
  let thrown: unknown;
  try {
    await collect(scanSamples(await store.getStream(key), { ...options, url: key }));
  } catch (err) {
    thrown = err;
  }
  assert.ok(thrown instanceof ShardError, `expected a ShardError, got ${thrown}`);
  const skipped: ShardError[] = [];
  const samples = await collect(
    scanSamples(await store.getStream(key), { ...options, url: key, onError: "skip", skipped }),
  );
  return [thrown, {
    keys: samples.map((s) => s.__key__),
    errors: skipped.map((e) => [e.code, e.shard, e.offset, e.key]),
  }];
}

/** A clean shard of 4 samples (2048 bytes each: two 1-block members). */
async function cleanShard(store: Store): Promise<Uint8Array> {
  const writer = new ShardWriter(store, "ds/clean-%06d.tar");
  for (const k of ["a", "b", "c", "d"]) {
    await writer.write({
      __key__: k,
      files: { txt: new TextEncoder().encode(k), cls: new TextEncoder().encode("1") },
    });
  }
  const [info] = await writer.close();
  return await store.get(info!.key);
}

Deno.test("truncated shard: code, shard, offset; skip keeps the complete samples", () =>
  withStore(async (store) => {
    const tar = await cleanShard(store);
    await store.put("ds/cut.tar", tar.subarray(0, 4096 + 1024 + 100)); // inside c.cls's header
    const [err, skip] = await scan(store, "ds/cut.tar");
    assert.equal(err.code, "truncated");
    assert.equal(err.shard, "ds/cut.tar");
    assert.equal(err.offset, 4096 + 1024);
    assert.match(
      err.message,
      /^Cannot read shard "ds\/cut\.tar": unexpected end of data .* at byte 5120$/,
    );
    assert.deepEqual(skip, {
      keys: ["a", "b"],
      errors: [
        ["truncated", "ds/cut.tar", 5120, undefined],
        ["truncated", "ds/cut.tar", 4096, "c"], // the open sample, dropped and counted
      ],
    });
  }));

Deno.test("header checksum mismatch: code, shard, offset; the scan ends there", () =>
  withStore(async (store) => {
    const tar = (await cleanShard(store)).slice();
    tar[4096 + 3] = 0x7a; // c.txt's name
    await store.put("ds/bad.tar", tar);
    const [err, skip] = await scan(store, "ds/bad.tar");
    assert.equal(
      err.message,
      'Cannot read shard "ds/bad.tar": header checksum mismatch at byte 4096',
    );
    assert.deepEqual(skip, {
      keys: ["a"],
      errors: [
        ["checksum_mismatch", "ds/bad.tar", 4096, undefined],
        ["checksum_mismatch", "ds/bad.tar", 2048, "b"],
      ],
    });
  }));

Deno.test("member over maxMemberSize: code, shard, key, offset; skip continues", () =>
  withStore(async (store) => {
    const tar = concat(
      member("a.txt", "1"),
      member("b.txt", "2"),
      member("b.bin", new Uint8Array(70_000)),
      member("c.txt", "3"),
      EOF_BLOCKS,
    );
    await store.put("ds/big.tar", tar);
    const [err, skip] = await scan(store, "ds/big.tar", { maxMemberSize: 65536 });
    assert.deepEqual([err.code, err.key, err.offset, err.path], [
      "member_too_large",
      "b",
      2048,
      "b.bin",
    ]);
    assert.deepEqual(skip, {
      keys: ["a", "c"],
      errors: [["member_too_large", "ds/big.tar", 2048, "b"]],
    });
  }));

Deno.test("invalid header field: code, shard, offset", () =>
  withStore(async (store) => {
    const tar = concat(member("a.txt", "1"), member("b.txt", "2"), EOF_BLOCKS);
    tar.set(new TextEncoder().encode("9999"), 1024 + 124); // '9' is no octal digit
    fixChecksum(tar, 1024);
    await store.put("ds/hdr.tar", tar);
    const [err, skip] = await scan(store, "ds/hdr.tar");
    assert.deepEqual([err.code, err.offset], ["invalid_header", 1024]);
    assert.deepEqual(skip, {
      keys: [],
      errors: [
        ["invalid_header", "ds/hdr.tar", 1024, undefined],
        ["invalid_header", "ds/hdr.tar", 0, "a"], // the open sample, dropped and counted
      ],
    });
  }));

Deno.test("corrupt gzip: invalid_gzip naming the shard", () =>
  withStore(async (store) => {
    const tar = await cleanShard(store);
    const gz = new Uint8Array(
      await new Response(
        new Blob([tar.slice()]).stream().pipeThrough(new CompressionStream("gzip")),
      ).arrayBuffer(),
    );
    await store.put("ds/z.tar.gz", gz.subarray(0, gz.length >> 1)); // cut inside the deflate data
    const [err] = await scan(store, "ds/z.tar.gz");
    assert.deepEqual([err.code, err.shard], ["invalid_gzip", "ds/z.tar.gz"]);
  }));

Deno.test("duplicate extension: code, shard, key, offset; skip continues", () =>
  withStore(async (store) => {
    const tar = concat(
      member("a.txt", "1"),
      member("b.txt", "2"),
      member("b.json", "{}"),
      member("b.TXT", "3"),
      member("c.txt", "4"),
      EOF_BLOCKS,
    );
    await store.put("ds/dup.tar", tar);
    const [err, skip] = await scan(store, "ds/dup.tar");
    assert.equal(
      err.message,
      'Cannot read shard "ds/dup.tar": duplicate extension "txt" in sample "b" at byte 3072',
    );
    assert.deepEqual(skip, {
      keys: ["a", "c"],
      errors: [["duplicate_extension", "ds/dup.tar", 3072, "b"]],
    });
  }));

const UNSAFE_SCRIPT = `
import sys, tarfile, io
buf = io.BytesIO()
fmt = tarfile.PAX_FORMAT if sys.argv[1] == "pax" else tarfile.GNU_FORMAT
with tarfile.open(fileobj=buf, mode="w", format=fmt, encoding="utf-8", errors="surrogateescape") as tf:
    for name in ["ok1.txt", "/etc/evil.txt", "ok2.txt", "../../escape.txt", "../../escape.json", "bad\\udcff\\udcfe.txt", "ok3.txt"]:
        info = tarfile.TarInfo(name)
        info.size = 2
        tf.addfile(info, io.BytesIO(b"xx"))
sys.stdout.buffer.write(buf.getvalue())
`;

for (const fmt of ["gnu", "pax"]) {
  Deno.test({
    name:
      `unsafe paths and invalid UTF-8 names (Python ${fmt}): codes, keys, offsets; skip continues`,
    ignore: noPython,
  }, () =>
    withStore(async (store) => {
      await store.put(`ds/${fmt}.tar`, await python(UNSAFE_SCRIPT, [fmt]));
      const [err, skip] = await scan(store, `ds/${fmt}.tar`);
      assert.deepEqual([err.code, err.key, err.offset], ["unsafe_path", "/etc/evil", 1024]);
      assert.deepEqual(skip.keys, ["ok1", "ok2", "ok3"]);
      assert.deepEqual(skip.errors.map(([code, shard, , key]) => [code, shard, key]), [
        ["unsafe_path", `ds/${fmt}.tar`, "/etc/evil"],
        ["unsafe_path", `ds/${fmt}.tar`, "../../escape"],
        ["invalid_name", `ds/${fmt}.tar`, "bad\ufffd\ufffd"],
      ]);
      // The offsets are the members' first header blocks (PAX headers included).
      const offsets = skip.errors.map(([, , offset]) => offset!);
      assert.ok(
        offsets.every((o) => o % 512 === 0) && offsets[0]! < offsets[1]! &&
          offsets[1]! < offsets[2]!,
      );
    }));
}
