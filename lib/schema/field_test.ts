import assert from "node:assert/strict";
import { defineSchema } from "./define_schema.ts";
import { f } from "./field.ts";
import { NDArray } from "./nd_array.ts";
import { SchemaError } from "./schema_error.ts";

Deno.test("f infers manifest roles as atdata does", () => {
  const S = defineSchema({
    name: "Roles",
    version: "1.0.0",
    fields: {
      label: f.str(),
      ok: f.bool(),
      n: f.int(),
      score: f.float({ manifest: { role: "numeric", buckets: [0, 0.5, 1] } }),
      tags: f.list(f.str()),
      at: f.timestamp(),
      image: f.bytes(),
      arr: f.ndarray({ dtype: "float32" }),
      maybe: f.optional(f.int()),
      maybeScore: f.optional(f.float({ manifest: { role: "numeric", buckets: [0, 1] } })),
      hidden: f.str({ manifest: "exclude" }),
      code: f.int({ manifest: "categorical" }),
      blobs: f.list(f.bytes()),
    },
  });
  assert.deepEqual(S.manifestFields, [
    { name: "label", role: "categorical", type: "str", list: false, nullable: false },
    { name: "ok", role: "categorical", type: "bool", list: false, nullable: false },
    { name: "n", role: "numeric", type: "int", list: false, nullable: false },
    {
      name: "score",
      role: "numeric",
      type: "float",
      list: false,
      nullable: false,
      buckets: [0, 0.5, 1],
    },
    { name: "tags", role: "set", type: "str", list: true, nullable: false },
    { name: "at", role: "timestamp", type: "timestamp", list: false, nullable: false },
    { name: "maybe", role: "numeric", type: "int", list: false, nullable: true },
    {
      name: "maybeScore",
      role: "numeric",
      type: "float",
      list: false,
      nullable: true,
      buckets: [0, 1],
    },
    { name: "code", role: "categorical", type: "int", list: false, nullable: false },
  ]);
});

Deno.test("f rejects roles, buckets and exts that do not fit the field", () => {
  const bad = (make: () => unknown, re: RegExp) =>
    assert.throws(make, (e) => {
      assert.ok(e instanceof SchemaError);
      assert.equal(e.code, "invalid_schema");
      assert.match(e.message, re);
      return true;
    });
  bad(() => f.str({ manifest: "numeric" }), /Invalid manifest role "numeric" for a str field/);
  bad(() => f.bytes({ manifest: "categorical" }), /for a bytes field/);
  bad(() => f.list(f.bytes(), { manifest: "set" }), /"set" field must be a list of/);
  bad(() => f.float({ manifest: { role: "numeric", buckets: [1, 0] } }), /Invalid buckets/);
  bad(() => f.str({ manifest: { role: "categorical", buckets: [0, 1] } }), /Invalid buckets/);
  bad(() => f.bytes({ ext: "JPG" }), /Invalid ext "JPG"/);
  bad(() => f.bytes({ ext: "a/b" }), /Invalid ext/);
});

Deno.test("f.ndarray accepts numpy names and dtype.str, rejects unknown dtypes", () => {
  assert.equal(f.ndarray({ dtype: "float32" }).dtype, "<f4");
  assert.equal(f.ndarray({ dtype: "<f4" }).dtype, "<f4");
  assert.equal(f.ndarray({ dtype: "uint8" }).dtype, "|u1");
  assert.equal(f.ndarray({ dtype: "bool" }).dtype, "|b1");
  assert.equal(f.ndarray({ dtype: ">i8" }).dtype, "<i8");
  assert.throws(() => f.ndarray({ dtype: "complex64" }), (e) => {
    assert.ok(e instanceof SchemaError);
    assert.equal(e.code, "unknown_dtype");
    assert.match(e.message, /Unknown dtype "complex64"/);
    return true;
  });
  assert.throws(() => f.ndarray({ dtype: "<U10" }), { code: "unknown_dtype" });
});

Deno.test("f.optional keeps the inner field's ext and description", () => {
  const o = f.optional(f.bytes({ ext: "png", description: "mask" }));
  assert.equal(o.ext, "png");
  assert.equal(o.description, "mask");
  assert.equal(o.inner?.kind, "bytes");
});

Deno.test("f.int accepts exactly what msgpack int64/uint64 hold, with a clear issue beyond", () => {
  const S = defineSchema({
    name: "Ints",
    version: "1.0.0",
    fields: { n: f.int(), ns: f.list(f.int()) },
  });
  const inRange = [-(2 ** 63), 2 ** 63, 2 ** 64 - 2048, -(2n ** 63n), 2n ** 63n, 2n ** 64n - 1n];
  for (const n of inRange) {
    const r = S.safeParse({ n, ns: [n] });
    assert.ok(r.ok, `${typeof n} ${n}`);
    assert.equal(r.value.n, n);
    assert.ok(f.int().zod.safeParse(n).success);
  }
  // 2 ** 64 - 1 is the number 2 ** 64; -(2 ** 63) - 2048 is the double below -2^63.
  const outOfRange = [2 ** 64, 2 ** 64 - 1, -(2 ** 63) - 2048, 1e300, 2n ** 64n, -(2n ** 63n) - 1n];
  for (const n of outOfRange) {
    const r = S.safeParse({ n: 1, ns: [0, n] });
    assert.ok(!r.ok, `${typeof n} ${n}`);
    assert.deepEqual(r.issues, [{
      path: ["ns", 1],
      expected: "int in [-2^63, 2^64-1]",
      received: `${typeof n} ${n}`,
      message: `Invalid input: expected int in [-2^63, 2^64-1], received ${typeof n} ${n}`,
      code: "out_of_range",
    }]);
    assert.ok(!f.int().zod.safeParse(n).success);
  }
  const r = S.safeParse({ n: 2n ** 64n, ns: [] });
  assert.ok(!r.ok);
  assert.deepEqual(r.issues[0]!.path, ["n"]);
  assert.equal(r.issues[0]!.received, "bigint 18446744073709551616");
  // Not an int at all stays a type issue naming the field type.
  const t = S.safeParse({ n: 2.5, ns: [] });
  assert.ok(!t.ok);
  assert.equal(t.issues[0]!.message, "Invalid input: expected int, received number 2.5");
});

Deno.test("f.ndarray takes NDArray instances only, telling how to wrap a plain object", () => {
  const S = defineSchema({
    name: "Arrays",
    version: "1.0.0",
    fields: {
      a: f.ndarray({ dtype: "float32", shape: [2] }),
      more: f.list(f.ndarray({ dtype: undefined })),
    },
  });
  const plain = { dtype: "<f4", shape: [2], data: new Float32Array([1, 2]) };
  const message = "Invalid input: expected an NDArray, received a plain { dtype, shape, data } " +
    "object: make one with NDArray.from(data, { dtype, shape })";
  const r = S.safeParse({ a: plain, more: [NDArray.from([1]), plain] });
  assert.ok(!r.ok);
  assert.deepEqual(r.issues, [
    {
      path: ["a"],
      expected: "ndarray<float32>[2]",
      received: "plain object { dtype, shape, data }",
      message,
      code: "custom",
    },
    {
      path: ["more", 1],
      expected: "ndarray<any>",
      received: "plain object { dtype, shape, data }",
      message,
      code: "custom",
    },
  ]);
  const ok = S.safeParse({ a: NDArray.from(plain.data, { shape: plain.shape }), more: [] });
  assert.ok(ok.ok);
  const other = S.safeParse({ a: "x", more: [] });
  assert.ok(!other.ok);
  assert.equal(
    other.issues[0]!.message,
    'Invalid input: expected ndarray<float32>[2], received string "x"',
  );
});
