import assert from "node:assert/strict";
import { z } from "zod";
import { defineSchema } from "./define_schema.ts";
import { f, type Field } from "./field.ts";
import { NDArray } from "./nd_array.ts";
import { FAIL, fastParseOf } from "./fast_parse.ts";
import { fromZodIssues } from "./_issues.ts";

const f32 = NDArray.from(new Float32Array([0, 1, 2, 3, 4, 5]), { shape: [2, 3] });
const f64 = NDArray.from(new Float64Array([1, 2, 3]));
const i8 = NDArray.from(new BigInt64Array([1n, 2n]));
const structural = { dtype: "float32", shape: [2, 3], data: new Float32Array(6) };
const structuralExact = { dtype: "<f4", shape: [2, 3], data: new Float32Array(6) };
// An NDArray of another copy of shardline (a job bundle inlines its own).
const otherCopy = await import("./nd_array.ts?another-copy");
const f32Other = otherCopy.NDArray.from(new Float32Array(6), { shape: [2, 3] });
const badDtype = { dtype: "<U10", shape: [1], data: new Uint8Array(40) };
const date = new Date("2025-01-01T00:00:00Z");
const sparse = [, "a"]; // a hole

/** Values tried against every field: valid for some kinds, invalid for the others. */
const VALUES: [string, unknown][] = [
  ["undefined", undefined],
  ["null", null],
  ["empty string", ""],
  ["string", "cat"],
  ["numeric string", "3"],
  ["ISO string", "2025-01-01T00:00:00.000Z"],
  ["0", 0],
  ["-0", -0],
  ["int", 42],
  ["negative int", -7],
  ["2^53", 2 ** 53],
  ["1e300", 1e300],
  ["float", 2.5],
  ["NaN", NaN],
  ["Infinity", Infinity],
  ["-Infinity", -Infinity],
  ["bigint", 5n],
  ["huge bigint", 2n ** 70n],
  ["negative bigint", -(2n ** 63n)],
  // The int64/uint64 bounds; 2 ** 64 - 1 as a number is 2 ** 64 (doubles round).
  ["2^63", 2 ** 63],
  ["-2^63", -(2 ** 63)],
  ["-2^63 - 2048 (the double below)", -(2 ** 63) - 2048],
  ["2^64 - 1 (number)", 2 ** 64 - 1],
  ["2^64 - 2048 (the double below 2^64)", 2 ** 64 - 2048],
  ["2^64", 2 ** 64],
  ["2^63 bigint", 2n ** 63n],
  ["-2^63 - 1 bigint", -(2n ** 63n) - 1n],
  ["2^64 - 1 bigint", 2n ** 64n - 1n],
  ["2^64 bigint", 2n ** 64n],
  ["list with 2^64 bigint", [1n, 2n ** 64n]],
  ["true", true],
  ["false", false],
  ["Uint8Array", new Uint8Array([1, 2])],
  ["empty Uint8Array", new Uint8Array(0)],
  ["Int8Array", new Int8Array(2)],
  ["ArrayBuffer", new ArrayBuffer(2)],
  ["Date", date],
  ["invalid Date", new Date("nope")],
  ["NDArray f32 [2,3]", f32],
  ["NDArray f64 [3]", f64],
  ["NDArray i8 [2]", i8],
  ["structural ndarray float32", structural],
  ["structural ndarray <f4 [2,3]", structuralExact],
  ["NDArray f32 [2,3] of another copy", f32Other],
  ["list of structural ndarrays", [structuralExact]],
  ["ndarray of unknown dtype", badDtype],
  ["empty array", []],
  ["str array", ["a", "b"]],
  ["int array", [1, 2, 3]],
  ["float array", [1.5, NaN]],
  ["mixed array", ["a", 1]],
  ["array with null", ["a", null]],
  ["array with undefined", ["a", undefined]],
  ["sparse array", sparse],
  ["nested int array", [[1, 2], [], [3]]],
  ["nested with bad item", [[1, 2.5]]],
  ["nested with null", [[1], null]],
  ["triple nested", [[[1]]]],
  ["Date array", [date, null]],
  ["bool array", [true, false]],
  ["plain object", { a: 1 }],
  ["function", () => 1],
  ["symbol", Symbol("s")],
];

/** Every field kind, with options that change validation, and wrapped in optional/list. */
const FIELDS: [string, Field][] = [
  ["str", f.str()],
  ["int", f.int()],
  ["float", f.float()],
  ["bool", f.bool()],
  ["bytes", f.bytes()],
  ["timestamp", f.timestamp()],
  ["ndarray any", f.ndarray({ dtype: undefined })],
  ["ndarray float32", f.ndarray({ dtype: "float32" })],
  ["ndarray <f4 [2,3]", f.ndarray({ dtype: "<f4", shape: [2, 3] })],
  ["ndarray float32 [null,3]", f.ndarray({ dtype: "float32", shape: [null, 3] })],
  ["ndarray float64 [2]", f.ndarray({ dtype: "float64", shape: [2] })],
  ["ndarray int64", f.ndarray({ dtype: "int64" })],
  ["list<str>", f.list(f.str())],
  ["list<int>", f.list(f.int())],
  ["list<float>", f.list(f.float())],
  ["list<bool>", f.list(f.bool())],
  ["list<list<int>>", f.list(f.list(f.int()))],
  ["list<list<list<int>>>", f.list(f.list(f.list(f.int())))],
  ["list<optional<str>>", f.list(f.optional(f.str()))],
  ["list<optional<timestamp>>", f.list(f.optional(f.timestamp()))],
  ["list<optional<list<int>>>", f.list(f.optional(f.list(f.int())))],
  ["optional<str>", f.optional(f.str())],
  ["optional<int>", f.optional(f.int())],
  ["optional<float>", f.optional(f.float())],
  ["optional<bytes>", f.optional(f.bytes())],
  ["optional<timestamp>", f.optional(f.timestamp())],
  ["optional<ndarray float32 [2,3]>", f.optional(f.ndarray({ dtype: "float32", shape: [2, 3] }))],
  ["optional<list<str>>", f.optional(f.list(f.str()))],
  ["optional<optional<int>>", f.optional(f.optional(f.int()))],
];

/**
 * Deep equality with zod's output, plus what deep equality misses: lists are fresh copies of
 * the input's (as zod makes them) and every other object is the input's own (as zod keeps it).
 */
function assertSameParse(actual: unknown, expected: unknown, input: unknown, where: string) {
  assert.deepStrictEqual(actual, expected, where);
  if (Array.isArray(expected)) {
    assert.notEqual(actual, input, `${where}: a copied list`);
    expected.forEach((e, i) =>
      assertSameParse((actual as unknown[])[i], e, (input as unknown[])[i], where)
    );
  } else if (typeof expected === "object" && expected !== null) {
    assert.equal(actual, input, `${where}: the input's own object`);
  }
}

Deno.test("compiled field validators accept exactly what zod accepts, and return the same", () => {
  let accepted = 0;
  for (const [fieldName, field] of FIELDS) {
    const fast = fastParseOf(field);
    assert.ok(fast, `${fieldName} has a compiled validator`);
    for (const [valueName, value] of VALUES) {
      const where = `${fieldName} <- ${valueName}`;
      const z = field.zod.safeParse(value);
      const r = fast(value);
      assert.equal(r !== FAIL, z.success, where);
      if (z.success) {
        accepted++;
        assertSameParse(r, z.data, value, where);
      }
    }
  }
  assert.ok(accepted > 50); // the table exercises both sides
});

const Every = defineSchema({
  name: "Every",
  version: "1.0.0",
  fields: Object.fromEntries(
    FIELDS.map(([n, field], i) => [`f${i}_${n.replace(/\W/g, "")}`, field]),
  ),
});
const names = Object.keys(Every.fields);

function zodOnly(x: unknown) {
  const r = Every.zod.safeParse(x);
  return r.success
    ? { ok: true, value: r.data }
    : { ok: false, issues: fromZodIssues(r.error.issues, Every.fields, x) };
}

/** A valid sample: each field's first accepted non-null value from the table (null if none). */
function validSample(): Record<string, unknown> {
  return Object.fromEntries(FIELDS.map(([, field], i) => {
    const found = VALUES.find(([, v]) => v != null && field.zod.safeParse(v).success);
    return [names[i]!, found ? found[1] : null];
  }));
}

Deno.test("schema.safeParse gives zod's result: values, key order, dropped keys and issues", () => {
  const valid = validSample();
  const inputs: [string, unknown][] = [
    ["valid", valid],
    ["valid with __key__ and unknown keys", { __key__: "k", extra: 1, ...valid }],
    ["valid, keys reversed", Object.fromEntries(Object.entries(valid).reverse())],
    [
      "optional fields left out",
      Object.fromEntries(
        Object.entries(valid).filter(([n]) => !n.includes("optional")),
      ),
    ],
    ["null", null],
    ["array", [valid]],
    ["string", "sample"],
    ["empty object", {}],
    ["a Date", new Date()],
  ];
  for (const name of names) {
    for (const [valueName, value] of VALUES) {
      inputs.push([`${name} = ${valueName}`, { ...valid, [name]: value }]);
    }
    const { [name]: _, ...missing } = valid;
    inputs.push([`${name} missing`, missing]);
  }
  for (const [where, input] of inputs) {
    const expected = zodOnly(input);
    const actual = Every.safeParse(input);
    assert.deepStrictEqual(actual, expected, where);
    if (actual.ok) assert.deepEqual(Object.keys(actual.value), names, `${where}: key order`);
  }
});

Deno.test("a hand-made field with its own zod keeps the schema on zod", () => {
  const short: Field<string> = { kind: "str", zod: z.string().max(3) };
  const S = defineSchema({ name: "Short", version: "1.0.0", fields: { s: short, n: f.int() } });
  assert.equal(S.safeParse({ s: "abc", n: 1 }).ok, true);
  const r = S.safeParse({ s: "abcd", n: 1 });
  assert.equal(r.ok, false);
  assert.equal(f.list(short).kind, "list");
  assert.equal(fastParseOf(f.list(short)), undefined);
  assert.equal(fastParseOf(f.optional(short)), undefined);
});
