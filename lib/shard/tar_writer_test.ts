import assert from "node:assert/strict";
import { scanTar } from "./scan_tar.ts";
import { scanSamples } from "./scan_samples.ts";
import { RECORD_SIZE, TarWriter } from "./tar_writer.ts";
import { collect, concat, header, padBlocks } from "./_test_tars.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

Deno.test("TarWriter headers match a reference ustar header byte for byte", () => {
  const tar = new TarWriter({ mtime: 1_700_000_000 });
  tar.writeFile("a/b.txt", bytes("hello"));
  const out = tar.finishBytes();
  const expected = header({ name: "a/b.txt", size: 5, mode: 0o444, mtime: 1_700_000_000 });
  expected.set(bytes("0000000\0"), 329); // devmajor
  expected.set(bytes("0000000\0"), 337); // devminor
  expected.set(bytes("0000000\0"), 108); // uid
  expected.set(bytes("0000000\0"), 116); // gid
  expected.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of expected) sum += b;
  expected.set(bytes(sum.toString(8).padStart(6, "0") + "\0 "), 148);
  assert.deepEqual(out.subarray(0, 512), expected);
  assert.deepEqual(out.subarray(512, 1024), padBlocks(bytes("hello")));
});

Deno.test("TarWriter is deterministic and pads to a 10240-byte record", () => {
  const write = () => {
    const tar = new TarWriter();
    tar.writeSample("k", { txt: bytes("x"), json: bytes("{}") });
    return tar.finishBytes();
  };
  const a = write();
  assert.deepEqual(a, write());
  assert.equal(a.length, RECORD_SIZE);
  assert.ok(a.subarray(2048).every((b) => b === 0));
  const full = new TarWriter();
  full.writeFile("f.bin", new Uint8Array(RECORD_SIZE - 1024)); // 512 + 9216 + 1024 > 10240
  assert.equal(full.finishBytes().length, 2 * RECORD_SIZE);
});

Deno.test("TarWriter reports sample offsets and sizes", () => {
  const tar = new TarWriter();
  assert.deepEqual(tar.writeSample("a", { txt: bytes("1") }), { offset: 0, size: 1024 });
  assert.deepEqual(tar.writeSample("b", { bin: new Uint8Array(513), cls: bytes("2") }), {
    offset: 1024,
    size: 2560,
  });
  assert.equal(tar.offset, 3584);
});

Deno.test("TarWriter uses the ustar prefix, then PAX, for long names", async () => {
  const prefixed = "p/".repeat(60) + "name.txt"; // 128 bytes: fits prefix + name
  const pax = "q".repeat(180) + ".txt"; // no slash to split at
  const unicode = "dïr/ñame.txt";
  const tar = new TarWriter();
  tar.writeFile(prefixed, bytes("1"));
  tar.writeFile(pax, bytes("2"));
  tar.writeFile(unicode, bytes("3"));
  const out = tar.finishBytes();
  const entries = await collect(scanTar(out));
  assert.deepEqual(entries.map((e) => [e.name, e.headerOffset, e.dataOffset]), [
    [prefixed, 0, 512],
    [pax, 1024, 2560],
    [unicode, 3072, 3584],
  ]);
  assert.equal(out[1024 + 156], 0x78); // 'x'
});

Deno.test("TarWriter passes large members through without copying", () => {
  const big = new Uint8Array(100_000).fill(7);
  const tar = new TarWriter({ chunkSize: 65536 });
  tar.writeFile("big.bin", big);
  const chunks = tar.finish();
  assert.ok(chunks.includes(big));
  const whole = concat(...chunks);
  assert.equal(whole.length % RECORD_SIZE, 0);
  assert.equal(whole[512 + 99_999], 7);
  assert.equal(whole[512 + 100_000], 0);
});

Deno.test("TarWriter take() drains completed chunks incrementally", async () => {
  const tar = new TarWriter({ chunkSize: 4096 });
  const parts: Uint8Array[] = [];
  for (let i = 0; i < 50; i++) {
    tar.writeSample(`s${i}`, { txt: bytes(String(i).repeat(i)) });
    parts.push(...tar.take());
  }
  parts.push(...tar.finish());
  const keys = (await collect(scanSamples(concat(...parts)))).map((s) => s.__key__);
  assert.equal(keys.length, 50);
  assert.equal(keys[49], "s49");
});

Deno.test("TarWriter rejects invalid samples before writing anything", () => {
  const tar = new TarWriter();
  assert.throws(() => tar.writeSample("a.b", { txt: bytes("x") }), RangeError);
  assert.throws(() => tar.writeSample("", { txt: bytes("x") }), RangeError);
  assert.throws(() => tar.writeSample("dir/", { txt: bytes("x") }), RangeError);
  assert.throws(() => tar.writeSample("k", { "a/b": bytes("x") }), RangeError);
  assert.throws(
    () => tar.writeSample("k", { txt: bytes("x"), bad: "str" as unknown as Uint8Array }),
    RangeError,
  );
  assert.equal(tar.offset, 0);
  tar.finish();
  assert.throws(() => tar.writeFile("late.txt", bytes("x")), TypeError);
  assert.throws(() => new TarWriter({ mtime: 1.5 }), RangeError);
});

Deno.test("TarWriter writes a PAX size record for members of 8 GiB and more", async () => {
  const size = 2 ** 33 + 1;
  // A stand-in that only reports its length: the writer passes large members through untouched.
  const huge = Object.defineProperty(Object.create(Uint8Array.prototype), "length", {
    value: size,
  }) as Uint8Array;
  const tar = new TarWriter();
  tar.writeFile("huge.bin", huge);
  const [head, body] = tar.take();
  assert.equal(body, huge);
  assert.equal(head!.length, 1536); // PAX header + records + ustar header
  assert.match(new TextDecoder().decode(head!.subarray(512, 1024)), /^\d+ size=8589934593\n/);
  const errors: string[] = [];
  await collect(
    scanTar(head!, { maxMemberSize: 1000, onError: (e) => errors.push(`${e.code} ${e.path}`) }),
  );
  assert.equal(errors[0], "member_too_large huge.bin");
  assert.equal(errors[1], "truncated huge.bin");
});
