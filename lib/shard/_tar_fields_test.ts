import assert from "node:assert/strict";
import {
  asciiString,
  headerChecksum,
  parsePax,
  paxRecord,
  readNumber,
  readString,
} from "./_tar_fields.ts";
import { header } from "./_test_tars.ts";

const enc = (s: string) => new TextEncoder().encode(s);

Deno.test("readNumber parses octal fields with spaces, NULs and GNU base-256", () => {
  assert.equal(readNumber(enc("0000644\0"), 0, 8), 0o644);
  assert.equal(readNumber(enc("   644 \0"), 0, 8), 0o644);
  assert.equal(readNumber(new Uint8Array(8), 0, 8), 0);
  assert.equal(readNumber(enc("12345670123\0"), 0, 12), 0o12345670123);
  assert.equal(readNumber(enc("0008\0"), 0, 5), -1);
  const b256 = new Uint8Array(12);
  b256[0] = 0x80;
  b256[7] = 0x02; // 2 * 2^32
  b256[11] = 0x01;
  assert.equal(readNumber(b256, 0, 12), 2 * 2 ** 32 + 1);
  b256[0] = 0xff;
  assert.equal(readNumber(b256, 0, 12), -1);
});

Deno.test("headerChecksum agrees between the word and byte paths", () => {
  const h = header({ name: "ünï/name.txt", size: 123, mtime: 1_770_000_000 });
  const words = new Uint32Array(h.buffer);
  const stored = readNumber(h, 148, 8);
  assert.equal(headerChecksum(h, 0, words), stored);
  assert.equal(headerChecksum(h, 0), stored);
  const shifted = new Uint8Array(513);
  shifted.set(h, 1);
  assert.equal(headerChecksum(shifted, 1, new Uint32Array(shifted.buffer, 0, 128)), stored); // unaligned: byte path
});

Deno.test("readString decodes ASCII, UTF-8 and flags invalid UTF-8", () => {
  assert.deepEqual(readString(enc("abc\0def"), 0, 7), { text: "abc", valid: true });
  assert.deepEqual(readString(enc("dïr"), 0, 10), { text: "dïr", valid: true });
  assert.deepEqual(readString(new Uint8Array([0x61, 0xff]), 0, 2), {
    text: "a\ufffd",
    valid: false,
  });
  assert.equal(asciiString(enc("hello"), 1, 4), "ell");
});

Deno.test("paxRecord counts its own length across digit boundaries", () => {
  for (let n = 0; n < 200; n++) {
    const rec = paxRecord("path", "x".repeat(n));
    const len = Number(rec.slice(0, rec.indexOf(" ")));
    assert.equal(len, enc(rec).length, `value length ${n}`);
  }
  assert.equal(paxRecord("path", "é"), "11 path=é\n"); // é is 2 bytes
});

Deno.test("parsePax reads records and rejects malformed ones", () => {
  const body = enc(
    paxRecord("path", "a/b.txt") + paxRecord("size", "42") + paxRecord("mtime", "1.5"),
  );
  assert.deepEqual([...parsePax(body)!], [["path", "a/b.txt"], ["size", "42"], ["mtime", "1.5"]]);
  const raw = new Uint8Array([...enc("11 path="), 0xff, 0x41, 0x0a]);
  assert.deepEqual(parsePax(raw)!.get("path"), new Uint8Array([0xff, 0x41]));
  assert.equal(parsePax(enc("99 path=x\n")), undefined);
  assert.equal(parsePax(enc("x path=x\n")), undefined);
  assert.equal(parsePax(enc("9 pathx\n\n")), undefined);
});
