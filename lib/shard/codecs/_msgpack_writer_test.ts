import assert from "node:assert/strict";
import { defineSchema, f, NDArray } from "../../schema/mod.ts";
import type { Field } from "../../schema/field.ts";
import { encodeMsgpackSample, encodeMsgpackValue } from "./msgpack_codec.ts";
import { referenceEncodeKey, referenceEncodeValue } from "../../../tests/_msgpack_reference.ts";

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

function assertSameBytes(actual: () => Uint8Array, expected: () => Uint8Array, where: string) {
  let want: Uint8Array | Error, got: Uint8Array | Error;
  try {
    want = expected();
  } catch (err) {
    want = err as Error;
  }
  try {
    got = actual();
  } catch (err) {
    got = err as Error;
  }
  if (want instanceof Error || got instanceof Error) {
    assert.ok(want instanceof Error && got instanceof Error, `${where}: both throw`);
    assert.equal(got.constructor, want.constructor, where);
    return;
  }
  assert.equal(hex(got), hex(want), where);
}

const str = (n: number, c = "a") => c.repeat(n);
const STRINGS = [
  "",
  "a",
  str(31),
  str(32),
  str(50),
  str(51),
  str(85),
  str(86),
  str(255),
  str(256),
  str(65535),
  str(65536),
  "héllo wörld",
  "日本語のテキスト",
  "emoji 🐈‍⬛ and 🐕",
  str(40, "é"),
  str(60, "é"),
  str(20, "日"),
  str(100, "日"),
  str(30000, "日"),
  "lone \ud800 high",
  "lone \udc00 low",
  "\ud83d",
  "pair at end \ud83d\ude00",
  str(60) + "\ud800" + str(10), // a lone surrogate through TextEncoder
  // lone surrogates at the 50-unit switch (3 own bytes below it, U+FFFD's above)
  str(44) + "\ud800",
  str(49) + "\udfff",
  str(50) + "\ud800",
  "\u07ff\u0800\uffff",
];
const INTS: (number | bigint)[] = [
  0,
  -0,
  1,
  127,
  128,
  255,
  256,
  65535,
  65536,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 60,
  -1,
  -32,
  -33,
  -128,
  -129,
  -32768,
  -32769,
  -(2 ** 31),
  -(2 ** 31) - 1,
  -(2 ** 53),
  0n,
  5n,
  -5n,
  255n,
  2n ** 32n - 1n,
  2n ** 32n,
  2n ** 63n - 1n,
  2n ** 63n,
  2n ** 64n - 1n,
  -(2n ** 31n),
  -(2n ** 31n) - 1n,
  -(2n ** 63n),
  1.5, // not an int: unvalidated input is written as the library wrote it
  NaN,
];
const FLOATS = [0, -0, 1, -1, 0.1, 2.5, 1e300, -1e-300, 2 ** 53, NaN, Infinity, -Infinity, 7n];
const BYTES = [0, 1, 255, 256, 65535, 65536].map((n) => new Uint8Array(n).map((_, i) => i * 7));
const ARRAYS = [
  NDArray.from(new Float32Array([0, 1, 2, 3]), { shape: [2, 2] }),
  NDArray.from(new Float64Array(0), { shape: [0, 3] }),
  NDArray.from(new BigInt64Array([1n, -2n])),
  NDArray.from(new Uint8Array(300)),
  NDArray.from(new Int16Array(40000), { shape: [200, 200] }),
  new NDArray("<f4", [], new Float32Array([7])),
  new NDArray("|b1", [3], new Uint8Array([1, 0, 1])),
  NDArray.from(new Float32Array(new ArrayBuffer(64), 16, 4)), // a view at an offset
];
const DATES = [
  new Date(0),
  new Date("2025-01-01T00:00:00Z"),
  new Date(-1e14),
  new Date(8.64e15),
  new Date(NaN),
];
const WRONG = [undefined, null, "x", 1, 2.5, true, new Uint8Array(2), [1, "a"], { a: 1 }, date()];

function date() {
  return new Date(1e12);
}

const CASES: [Field, unknown[]][] = [
  [f.str(), [...STRINGS, ...WRONG]],
  [f.int(), [...INTS, ...WRONG]],
  [f.float(), [...FLOATS, ...WRONG]],
  [f.bool(), [true, false, ...WRONG]],
  [f.bytes(), [...BYTES, new Int8Array(3), ...WRONG]],
  [f.ndarray({ dtype: undefined }), [...ARRAYS, ...WRONG]],
  [f.timestamp(), [...DATES, ...WRONG]],
  [f.list(f.str()), [[], STRINGS.slice(0, 20), STRINGS, ...WRONG]],
  [f.list(f.int()), [[], INTS.slice(0, 39), Array(16).fill(1), Array(65536).fill(3), ...WRONG]],
  [f.list(f.float()), [[], FLOATS, [1, 2, 3], ...WRONG]],
  [f.list(f.list(f.int())), [[[], [1, 2], [2 ** 40]], [[1], "x"], ...WRONG]],
  [f.list(f.optional(f.float())), [[1, null, 2.5, undefined], ...WRONG]],
  [f.list(f.bytes()), [BYTES, ...WRONG]],
  [f.list(f.ndarray({ dtype: undefined })), [ARRAYS, ...WRONG]],
  [f.list(f.timestamp()), [DATES.slice(0, 4), ...WRONG]],
  [f.optional(f.str()), [...STRINGS.slice(0, 5), ...WRONG]],
  [f.optional(f.int()), [...INTS.slice(0, 30), ...WRONG]],
  [f.optional(f.float()), [1, 0.5, ...WRONG]],
  [f.optional(f.list(f.float())), [[1, 2], ...WRONG]],
  [f.optional(f.timestamp()), [...DATES.slice(0, 2), ...WRONG]],
];

Deno.test("encodeMsgpackValue writes the previous encoder's bytes for every field kind", () => {
  let n = 0;
  for (const [field, values] of CASES) {
    for (const [i, v] of values.entries()) {
      assertSameBytes(
        () => encodeMsgpackValue(v, field),
        () => referenceEncodeValue(v, field),
        `${field.kind}${field.item ? "<" + field.item.kind + ">" : ""}` +
          `${field.inner ? "<" + field.inner.kind + ">" : ""} value #${i}`,
      );
      n++;
    }
  }
  assert.ok(n > 300);
});

Deno.test("encodeMsgpackValue throws for ints beyond int64/uint64 instead of wrapping them", () => {
  for (const v of [2n ** 64n, -(2n ** 63n) - 1n, 2 ** 64, 1e300, -(2 ** 64)]) {
    for (const field of [f.int(), f.list(f.int()), f.optional(f.int())]) {
      const value = field.kind === "list" ? [1, v] : v;
      assert.throws(() => encodeMsgpackValue(value, field), RangeError, `${typeof v} ${v}`);
    }
  }
});

Deno.test("encodeMsgpackValue writes another copy's NDArrays as its own; plain objects as maps", async () => {
  const other = await import("../../schema/nd_array.ts?another-copy");
  const field = f.ndarray({ dtype: undefined });
  const a = NDArray.from(new Float32Array([1, 2]), { shape: [2, 1] });
  const b = other.NDArray.from(new Float32Array([1, 2]), { shape: [2, 1] });
  assert.equal(hex(encodeMsgpackValue(b, field)), hex(encodeMsgpackValue(a, field)));
  assertSameBytes(
    () => encodeMsgpackValue(b, field),
    () => referenceEncodeValue(b, field),
    "other copy",
  );
  // Not an ndarray (validation rejects it): written as the encoder writes any object.
  const plain = { dtype: "<f4", shape: [2], data: new Float32Array([1, 2]) };
  assertSameBytes(
    () => encodeMsgpackValue(plain, field),
    () => referenceEncodeValue(plain, field),
    "plain",
  );
});

function previousSample(
  schema: { fields: Record<string, Field> },
  sample: Record<string, unknown>,
) {
  const parts: Uint8Array[] = [new Uint8Array([0x80 | Object.keys(schema.fields).length])];
  for (const [name, field] of Object.entries(schema.fields)) {
    parts.push(referenceEncodeKey(name), referenceEncodeValue(sample[name] ?? null, field));
  }
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

Deno.test("encodeMsgpackSample outputs stay intact across slabs and samples larger than a slab", () => {
  const S = defineSchema({
    name: "Slab",
    version: "1.0.0",
    fields: { blob: f.bytes(), label: f.str(), n: f.int(), x: f.optional(f.float()) },
  });
  let seed = 7;
  const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) >>> 0) % n;
  const samples = Array.from({ length: 600 }, (_, i) => ({
    blob: new Uint8Array(i % 50 === 0 ? 200_000 + rnd(100_000) : rnd(3000)).fill(i & 0xff),
    label: "x".repeat(rnd(300)),
    n: rnd(2 ** 31) - 2 ** 30,
    x: i % 3 ? i / 3 : null,
  }));
  const outputs = samples.map((s) => encodeMsgpackSample(S, s));
  outputs.forEach((out, i) => {
    assert.equal(hex(out), hex(previousSample(S, samples[i]!)), `sample ${i}`);
  });
});

Deno.test("encodeMsgpackSample fills missing fields with nil and recovers after a throw", () => {
  const S = defineSchema({
    name: "Nil",
    version: "1.0.0",
    fields: { a: f.str(), b: f.optional(f.int()), c: f.timestamp() },
  });
  assert.equal(hex(encodeMsgpackSample(S, {})), hex(previousSample(S, {})));
  assert.throws(() => encodeMsgpackSample(S, { a: "x", c: new Date(NaN) }), RangeError);
  const ok = { a: "y", b: 3, c: new Date(0) };
  assert.equal(hex(encodeMsgpackSample(S, ok)), hex(previousSample(S, ok)));
});

Deno.test("encodeMsgpackSample re-entered from a getter gets its own buffer", () => {
  const S = defineSchema({ name: "Re", version: "1.0.0", fields: { a: f.str(), b: f.str() } });
  let inner: Uint8Array | undefined;
  const tricky = {
    a: "outer",
    get b() {
      inner = encodeMsgpackSample(S, { a: "in", b: "ner" });
      return "done";
    },
  };
  const out = encodeMsgpackSample(S, tricky);
  assert.equal(hex(out), hex(previousSample(S, { a: "outer", b: "done" })));
  assert.equal(hex(inner!), hex(previousSample(S, { a: "in", b: "ner" })));
});

Deno.test("encodeMsgpackValue writes timestamps as toISOString across and beyond 4-digit years", () => {
  const field = f.timestamp();
  const times = [0, -1, 1, 951782400000, 951868799999, -2208988800000, 8.64e15, -8.64e15];
  for (const edge of [-62167219200000, 253402300799999]) times.push(edge - 1, edge, edge + 1);
  for (let t = -62167219200000; t <= 253402300799999; t += 86_399_999 * 97 + 13) times.push(t);
  for (let i = 0; i < 50_000; i++) times.push(Math.round(Math.sin(i) * 1e14) + (i % 1000));
  for (const t of times) {
    const d = new Date(t);
    assert.equal(
      hex(encodeMsgpackValue(d, field)),
      hex(referenceEncodeValue(d, field)),
      d.toISOString(),
    );
  }
});

Deno.test("encodeMsgpackSample keeps working after an output's buffer is transferred away", () => {
  const S = defineSchema({ name: "T", version: "1.0.0", fields: { a: f.str() } });
  const first = encodeMsgpackSample(S, { a: "one" });
  const copy = first.slice();
  (first.buffer as ArrayBuffer).transfer(); // detaches the shared buffer
  assert.equal(first.byteLength, 0);
  assert.equal(hex(encodeMsgpackSample(S, { a: "one" })), hex(copy));
});
