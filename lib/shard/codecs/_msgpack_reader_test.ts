import assert from "node:assert/strict";
import { decode, Encoder } from "@msgpack/msgpack";
import { defineSchema, f, NDArray, type Schema } from "../../schema/mod.ts";
import { ShardError } from "../shard_error.ts";
import { decodeMsgpackSample, encodeMsgpackSample } from "./msgpack_codec.ts";
import { fromMsgpack } from "./_values.ts";
import { readSampleMap, UNUSUAL } from "./_msgpack_reader.ts";

// The decoding before the sample-map reader: the library's one-shot decode, then fromMsgpack.
function reference(schema: Schema, bytes: Uint8Array) {
  let map: unknown;
  try {
    map = decode(bytes, { useBigInt64: true });
  } catch (err) {
    throw new ShardError("decode_failed", `invalid msgpack: ${(err as Error).message}`);
  }
  if (typeof map !== "object" || map === null || Array.isArray(map) || map instanceof Uint8Array) {
    throw new ShardError("decode_failed", "msgpack sample is not a map");
  }
  const values: Record<string, unknown> = {};
  const errors = new Map<string, unknown>();
  for (const [name, field] of Object.entries(schema.fields)) {
    const m = map as Record<string, unknown>;
    const raw = Object.hasOwn(m, name) ? m[name] : undefined;
    try {
      values[name] = raw === undefined ? undefined : fromMsgpack(raw, field);
    } catch (err) {
      errors.set(name, err);
    }
  }
  return { values, errors };
}

type Outcome =
  | { values: Record<string, unknown>; errors: [string, string, string][] }
  | { threw: string; message: string };

function outcome(fn: () => { values: Record<string, unknown>; errors: Map<string, unknown> }) {
  try {
    const { values, errors } = fn();
    return {
      values,
      errors: [...errors].map(([k, e]) => [k, (e as Error).name, (e as Error).message]),
    } as Outcome;
  } catch (err) {
    return { threw: (err as Error).name, message: (err as Error).message } as Outcome;
  }
}

function assertSameDecode(schema: Schema, bytes: Uint8Array, where: string) {
  const got = outcome(() => decodeMsgpackSample(schema, bytes));
  const want = outcome(() => reference(schema, bytes));
  assert.deepStrictEqual(got, want, where);
  if ("values" in got && "values" in want) {
    assert.deepEqual(Object.keys(got.values), Object.keys(want.values), `${where}: keys`);
  }
}

const S = defineSchema({
  name: "Read",
  version: "1.0.0",
  fields: {
    label: f.str(),
    n: f.int(),
    x: f.float(),
    ok: f.bool(),
    blob: f.bytes(),
    arr: f.ndarray({ dtype: undefined }),
    tags: f.list(f.str()),
    grid: f.list(f.list(f.int())),
    at: f.timestamp(),
    maybe: f.optional(f.str()),
  },
});

const enc = new Encoder({ useBigInt64: true });
const bytesOf = (...parts: (number | number[] | Uint8Array)[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === "number" ? [p] : [...p])));
const utf8 = (s: string) => [...new TextEncoder().encode(s)];
const fixstr = (s: string) => [0xa0 + utf8(s).length, ...utf8(s)];

const sample = {
  label: "cat",
  n: 2 ** 40,
  x: 0.5,
  ok: true,
  blob: new Uint8Array([1, 2, 3]),
  arr: NDArray.from(new Float32Array([1, 2, 3, 4]), { shape: [2, 2] }),
  tags: ["a", "日本", "x".repeat(300)],
  grid: [[1, -2], [], [2 ** 33]],
  at: new Date("2025-01-01T00:00:00Z"),
  maybe: null,
};

Deno.test("decodeMsgpackSample reads written samples as the library did", () => {
  const written = encodeMsgpackSample(S, sample);
  assertSameDecode(S, written, "written");
  const table = { names: Object.keys(S.fields), keys: [] as Uint8Array[], index: new Map() };
  table.keys = table.names.map((n) => enc.encode(n));
  table.names.forEach((n, i) => table.index.set(n, i));
  const raw: unknown[] = [];
  assert.equal(readSampleMap(written, table, raw), undefined); // read without the library
  assert.equal(raw[0], "cat");
  assert.equal(readSampleMap(bytesOf(0x81, 0x01, 0x02), table, raw), UNUSUAL);
  const r = decodeMsgpackSample(S, written);
  assert.equal(r.values.label, "cat");
  assert.ok(r.values.blob instanceof Uint8Array && r.values.blob.buffer === written.buffer);
  // the library's own encoding of a plain map (other int and str forms)
  const plain = {
    ...sample,
    arr: new Uint8Array([3, 60, 102, 52, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 128, 63]),
    at: "2025-01-01T00:00:00.000Z",
  };
  assertSameDecode(S, enc.encode(plain), "library map");
  assertSameDecode(S, enc.encode(Object.fromEntries(Object.entries(plain).reverse())), "reversed");
  assertSameDecode(S, enc.encode({ label: "only" }), "fields missing");
  assertSameDecode(S, enc.encode({ zzz: [1, { a: [2] }], ...plain, extra: "x" }), "unknown keys");
});

Deno.test("decodeMsgpackSample leaves unusual bytes to the library, with its results and errors", () => {
  const label = fixstr("label");
  const cases: [string, Uint8Array][] = [
    ["empty", bytesOf()],
    ["nil", bytesOf(0xc0)],
    ["array", bytesOf(0x91, 0x01)],
    ["str", bytesOf(...fixstr("map"))],
    ["bin", bytesOf(0xc4, 1, 0)],
    ["0xc1", bytesOf(0x81, label, 0xc1)],
    ["truncated map", bytesOf(0x82, label, ...fixstr("cat"))],
    ["truncated str", bytesOf(0x81, label, 0xa5, 0x61)],
    ["truncated key", bytesOf(0x81, 0xa5, 0x6c)],
    ["trailing bytes", bytesOf(0x81, label, ...fixstr("cat"), 0x00)],
    ["duplicate key", bytesOf(0x82, label, ...fixstr("a"), label, ...fixstr("b"))],
    ["number key", bytesOf(0x82, 0x01, 0x02, label, ...fixstr("c"))],
    ["nil key", bytesOf(0x81, 0xc0, 0x02)],
    ["__proto__ key", bytesOf(0x82, ...fixstr("__proto__"), 0x80, label, ...fixstr("c"))],
    ["str8 key", bytesOf(0x81, 0xd9, 5, ...utf8("label"), ...fixstr("c"))],
    ["str16 key", bytesOf(0x81, 0xda, 0, 5, ...utf8("label"), ...fixstr("c"))],
    ["str32 key", bytesOf(0x81, 0xdb, 0, 0, 0, 5, ...utf8("label"), ...fixstr("c"))],
    ["map16", bytesOf(0xde, 0, 1, label, ...fixstr("c"))],
    ["map32", bytesOf(0xdf, 0, 0, 0, 1, label, ...fixstr("c"))],
    ["str8/16/32 values", bytesOf(0x81, label, 0xdb, 0, 0, 0, 1, 0x61)],
    ["timestamp ext", bytesOf(0x81, ...fixstr("at"), 0xd6, 0xff, 0, 0, 0, 1)],
    ["other ext", bytesOf(0x81, ...fixstr("blob"), 0xd4, 0x05, 0x01)],
    ["ext in a list", bytesOf(0x81, ...fixstr("tags"), 0x91, 0xd4, 0x05, 0x01)],
    ["float32", bytesOf(0x81, ...fixstr("x"), 0xca, 0x3f, 0xc0, 0, 0)],
    ["int forms", bytesOf(0x81, ...fixstr("n"), 0xd1, 0x80, 0x00)],
    ["int64", bytesOf(0x81, ...fixstr("n"), 0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe)],
    ["uint64 small", bytesOf(0x81, ...fixstr("n"), 0xcf, 0, 0, 0, 0, 0, 0, 0, 7)],
    ["array16 / bin16", bytesOf(0x81, ...fixstr("tags"), 0xdc, 0, 1, 0xc5, 0, 1, 9)],
    ["array32 / bin32", bytesOf(0x81, ...fixstr("tags"), 0xdd, 0, 0, 0, 1, 0xc6, 0, 0, 0, 0)],
    ["invalid utf-8", bytesOf(0x81, label, 0xa4, 0xff, 0xc3, 0x28, 0xe2)],
    ["truncated utf-8 at end", bytesOf(0x81, label, 0xa2, 0x61, 0xe2)],
    ["long invalid utf-8", bytesOf(0x81, label, 0xd9, 201, ...new Array(201).fill(0xc3))],
    ["nil in required", bytesOf(0x81, label, 0xc0)],
    ["bad ndarray bytes", bytesOf(0x81, ...fixstr("arr"), 0xc4, 1, 9)],
    ["unknown dtype", bytesOf(0x81, ...fixstr("arr"), 0xc4, 5, 3, ...utf8("<U9"), 0)],
    ["bad timestamp", bytesOf(0x81, ...fixstr("at"), ...fixstr("yesterday"))],
  ];
  let deep = bytesOf(0x81, ...fixstr("zz"));
  deep = bytesOf(deep, new Array(200).fill(0x91), 0x01);
  cases.push(["deeply nested unknown value", deep]);
  cases.push(["very deep", bytesOf(0x81, ...fixstr("zz"), new Array(20000).fill(0x91), 0x01)]);
  for (const [where, bytes] of cases) assertSameDecode(S, bytes, where);
});

Deno.test("decodeMsgpackSample reads every int, float and str form as the library does", () => {
  const be = (n: number, v: number | bigint) => {
    const d = new DataView(new ArrayBuffer(n));
    if (n === 1) d.setUint8(0, Number(v));
    else if (n === 2) d.setUint16(0, Number(v));
    else if (n === 4) d.setUint32(0, Number(v) >>> 0);
    else d.setBigUint64(0, BigInt.asUintN(64, BigInt(v)));
    return [...new Uint8Array(d.buffer)];
  };
  const values: number[][] = [
    [0x00],
    [0x7f],
    [0xe0],
    [0xff],
    ...[0, 1, 0x7f, 0x80, 0xff].map((v) => [0xcc, ...be(1, v)]),
    ...[0, 0x7fff, 0x8000, 0xffff].map((v) => [0xcd, ...be(2, v)]),
    ...[0, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1].map((v) => [0xce, ...be(4, v)]),
    ...[0n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n].map((v) => [0xcf, ...be(8, v)]),
    ...[0, 1, 0x7f, 0x80, 0xff].map((v) => [0xd0, ...be(1, v)]),
    ...[0, 0x7fff, 0x8000, 0xffff].map((v) => [0xd1, ...be(2, v)]),
    ...[0, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1].map((v) => [0xd2, ...be(4, v)]),
    ...[0n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n].map((v) => [0xd3, ...be(8, v)]),
    [0xca, 0x3f, 0xc0, 0, 0],
    [0xca, 0x7f, 0xc0, 0, 0],
    [0xcb, 0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18],
    [0xcb, 0xff, 0xf8, 0, 0, 0, 0, 0, 1],
  ];
  for (const n of [100, 150, 199, 200, 201, 300]) {
    for (const fill of [0x61, 0xc3, 0xe6, 0xf0, 0x80]) {
      values.push([0xd9, n, ...new Array(n).fill(fill)]);
      values.push([0xda, 0, n, ...utf8("日本語").concat(new Array(n).fill(fill)).slice(0, n)]);
    }
  }
  for (const v of values) {
    for (const name of ["n", "x", "label", "tags", "zz"]) {
      const value = name === "tags" ? [0x92, ...v, ...v] : v;
      assertSameDecode(
        S,
        bytesOf(0x81, ...fixstr(name), ...value),
        `${name}: ${value.slice(0, 9)}`,
      );
    }
  }
});

Deno.test("decodeMsgpackSample reads many distinct short strings right (cache collisions)", () => {
  const words = Array.from({ length: 5000 }, (_, i) => i.toString(36).repeat(1 + (i % 5)));
  const bytes = enc.encode({ tags: words, label: "x" });
  for (let round = 0; round < 2; round++) assertSameDecode(S, bytes, `round ${round}`);
  assert.deepEqual(decodeMsgpackSample(S, bytes).values.tags, words);
});

Deno.test("decodeMsgpackSample matches the library on fuzzed maps and damaged bytes", () => {
  let seed = 12345;
  const rnd = (n: number) => { // mulberry32
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  const names = [...Object.keys(S.fields), "other", "__key__"];
  const strings = ["", "cat", "日本語", "x".repeat(40), "é".repeat(120), "🐈", "\ud800"];
  const leaf = (): unknown => {
    switch (rnd(10)) {
      case 0:
        return strings[rnd(strings.length)];
      case 1:
        return rnd(2) ? rnd(300) - 150 : (rnd(2 ** 31) * 2 ** 20) * (rnd(2) ? 1 : -1);
      case 2:
        return rnd(2) ? BigInt(rnd(1000)) * 2n ** 40n : -BigInt(rnd(1000)) * 2n ** 40n;
      case 3:
        return rnd(1000) / 7;
      case 4:
        return rnd(2) === 1;
      case 5:
        return null;
      case 6:
        return new Uint8Array(rnd(300)).fill(rnd(256));
      case 7:
        return new Date(rnd(2 ** 31) * 1000);
      default:
        return "2025-01-0" + (1 + rnd(9)) + "T00:00:00.000Z";
    }
  };
  const value = (depth: number): unknown =>
    depth < 3 && rnd(4) === 0
      ? (rnd(3) ? Array.from({ length: rnd(20) }, () => value(depth + 1)) : {
        [names[rnd(names.length)]!]: value(depth + 1),
      })
      : leaf();
  for (let i = 0; i < 2000; i++) {
    const map: Record<string, unknown> = {};
    for (let k = rnd(12); k > 0; k--) map[names[rnd(names.length)]!] = value(0);
    const bytes = enc.encode(map);
    assertSameDecode(S, bytes, `map ${i}`);
    const cut = bytes.subarray(0, rnd(bytes.length + 1));
    assertSameDecode(S, cut, `map ${i} cut at ${cut.length}`);
    const flipped = bytes.slice();
    for (let k = 0; k < 3; k++) flipped[rnd(flipped.length)] = rnd(256);
    assertSameDecode(S, flipped, `map ${i} flipped`);
  }
});
