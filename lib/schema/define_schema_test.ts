import assert from "node:assert/strict";
import { defineSchema, type Infer } from "./define_schema.ts";
import { f } from "./field.ts";
import { NDArray } from "./nd_array.ts";
import { SchemaError } from "./schema_error.ts";

const Image = defineSchema({
  name: "ImageSample",
  version: "1.2.0",
  fields: {
    image: f.ndarray({ dtype: "float32", shape: [2, null] }),
    label: f.str(),
    confidence: f.float(),
    count: f.int(),
    tags: f.list(f.str()),
    note: f.optional(f.str()),
    takenAt: f.timestamp(),
  },
});

const good = {
  image: NDArray.from(new Float32Array(4), { shape: [2, 2] }),
  label: "cat",
  confidence: 1,
  count: 3,
  tags: ["a", "b"],
  takenAt: new Date("2025-01-02T03:04:05Z"),
};

Deno.test("defineSchema validates a good sample and fills missing optionals with null", () => {
  const r = Image.safeParse({ ...good, __key__: "k1" });
  assert.ok(r.ok);
  assert.equal(r.value.note, null);
  assert.equal("__key__" in r.value, false);
  const typed: Infer<typeof Image> = r.value;
  assert.equal(typed.label, "cat");
  assert.equal(Image.id, "ImageSample@1.2.0");
  assert.equal(Image.ref, "atdata://local/schema/ImageSample@1.2.0");
  assert.equal(Image.layout, "msgpack");
});

Deno.test("defineSchema safeParse reports path, expected and received", () => {
  const r = Image.safeParse({
    ...good,
    label: 7,
    tags: ["a", 3],
    count: 2.5,
    confidence: undefined,
  });
  assert.ok(!r.ok);
  const byPath = new Map(r.issues.map((i) => [i.path.join("."), i]));
  assert.deepEqual(byPath.get("label"), {
    path: ["label"],
    expected: "str",
    received: "number 7",
    message: "Invalid input: expected str, received number 7",
    code: "invalid_type",
  });
  assert.equal(byPath.get("tags.1")?.expected, "str");
  assert.equal(byPath.get("count")?.received, "number 2.5");
  assert.equal(byPath.get("confidence")?.code, "missing");
  assert.equal(
    byPath.get("confidence")?.message,
    'Missing required field "confidence" (expected float)',
  );
});

Deno.test("defineSchema checks ndarray dtype and shape", () => {
  const r = Image.safeParse({ ...good, image: NDArray.from(new Int32Array(6), { shape: [3, 2] }) });
  assert.ok(!r.ok);
  assert.deepEqual(r.issues.map((i) => i.message), [
    "dtype <i4 is not <f4",
    "shape [3,2] is not [2,*]",
  ]);
  assert.equal(r.issues[0]!.expected, "ndarray<float32>[2,*]");
});

Deno.test("defineSchema parse throws a typed SchemaError", () => {
  assert.throws(() => Image.parse({ ...good, label: null }), (e) => {
    assert.ok(e instanceof SchemaError);
    assert.equal(e.code, "validation_failed");
    assert.match(
      e.message,
      /ImageSample@1\.2\.0.*label: Invalid input: expected str, received null/,
    );
    assert.equal(e.issues.length, 1);
    return true;
  });
});

Deno.test("defineSchema accepts bigint ints, NaN floats and null optionals", () => {
  const r = Image.safeParse({ ...good, count: 2n ** 60n, confidence: NaN, note: null });
  assert.ok(r.ok);
});

Deno.test("defineSchema rejects bad names, versions, fields and layouts", () => {
  const bad = (def: Parameters<typeof defineSchema>[0], re: RegExp) =>
    assert.throws(() => defineSchema(def), (e) => {
      assert.ok(e instanceof SchemaError);
      assert.equal(e.code, "invalid_schema");
      assert.match(e.message, re);
      return true;
    });
  const fields = { a: f.str() };
  bad({ name: "A", version: "1.0", fields }, /Invalid version "1.0"/);
  bad({ name: "a/b", version: "1.0.0", fields }, /Invalid schema name/);
  bad({ name: "A", version: "1.0.0", fields: {} }, /no fields/);
  bad(
    { name: "A", version: "1.0.0", fields: { __key__: f.str() } },
    /Invalid field name "__key__"/,
  );
  bad({ name: "A", version: "1.0.0", fields: { "a-b": f.str() } }, /Invalid field name/);
  // deno-lint-ignore no-explicit-any
  bad({ name: "A", version: "1.0.0", fields, layout: "zip" as any }, /Invalid layout/);
  bad(
    { name: "A", version: "1.0.0", fields: { a: f.str(), b: f.str() }, layout: "files" },
    /Fields "a" and "b" .* both map to "\.txt" members/,
  );
});

Deno.test("defineSchema gives default and declared exts per field", () => {
  const S = defineSchema({
    name: "Files",
    version: "0.1.0",
    layout: "files",
    fields: {
      image: f.bytes({ ext: "jpg" }),
      label: f.int(),
      caption: f.optional(f.str()),
      meta: f.list(f.int()),
      arr: f.ndarray({ dtype: "<u1" }),
      mask: f.optional(f.bytes({ ext: "seg.png" })),
    },
  });
  assert.deepEqual(S.exts, {
    image: "jpg",
    label: "cls",
    caption: "txt",
    meta: "json",
    arr: "npy",
    mask: "seg.png",
  });
});
