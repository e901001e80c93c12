import assert from "node:assert/strict";
import { defineSchema } from "./define_schema.ts";
import { f } from "./field.ts";
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
