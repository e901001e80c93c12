import assert from "node:assert/strict";
import { defineSchema } from "./define_schema.ts";
import { f } from "./field.ts";
import { fromLocalRecord, toLocalRecord } from "./atdata_local_record.ts";
import { SchemaError } from "./schema_error.ts";
import { createdAt, Everything } from "./_test_schemas.ts";

Deno.test("toLocalRecord writes atdata's local record shape", () => {
  const S = defineSchema({
    name: "ImageSample",
    version: "1.0.0",
    fields: {
      image: f.ndarray({ dtype: "<f4" }),
      label: f.str(),
      confidence: f.optional(f.float()),
      tags: f.list(f.str()),
    },
  });
  assert.deepEqual(toLocalRecord(S, { createdAt }), {
    name: "ImageSample",
    version: "1.0.0",
    fields: [
      { name: "image", fieldType: { $type: "local#ndarray", dtype: "float32" }, optional: false },
      {
        name: "label",
        fieldType: { $type: "local#primitive", primitive: "str" },
        optional: false,
      },
      {
        name: "confidence",
        fieldType: { $type: "local#primitive", primitive: "float" },
        optional: true,
      },
      {
        name: "tags",
        fieldType: { $type: "local#array", items: { $type: "local#primitive", primitive: "str" } },
        optional: false,
      },
    ],
    $ref: "atdata://local/schema/ImageSample@1.0.0",
    createdAt: "2025-01-01T00:00:00.000Z",
    "x-shardline": { layout: "msgpack" },
  });
});

Deno.test("toLocalRecord and fromLocalRecord round-trip every field kind", () => {
  const rec = toLocalRecord(Everything, { createdAt });
  const back = fromLocalRecord(JSON.parse(JSON.stringify(rec)));
  assert.deepEqual(toLocalRecord(back, { createdAt }), rec);
  assert.deepEqual(back.manifestFields, Everything.manifestFields);
  assert.deepEqual(back.exts, Everything.exts);
  assert.equal(back.layout, "files");
  assert.equal(back.fields.at!.kind, "timestamp");
  assert.equal(back.fields.label!.description, "class name");
  const at = rec.fields.find((x) => x.name === "at")!;
  assert.deepEqual(at.fieldType, {
    $type: "local#primitive",
    primitive: "str",
    format: "date-time",
  });
});

Deno.test("fromLocalRecord reads records as atdata writes them", () => {
  const S = fromLocalRecord({
    name: "MySample",
    version: "1.0.0",
    fields: [
      {
        name: "image",
        fieldType: { $type: "ac.foundation.dataset.schemaType#ndarray", dtype: "uint8" },
        optional: false,
      },
      { name: "label", fieldType: { $type: "local#primitive", primitive: "int" }, optional: false },
      {
        name: "caption",
        fieldType: { $type: "local#primitive", primitive: "str" },
        optional: true,
      },
      { name: "raw", fieldType: { $type: "local#primitive", primitive: "bytes" } },
      { name: "v", fieldType: { $type: "local#ndarray", dtype: null }, optional: false },
    ],
    $ref: "atdata://local/schema/MySample@1.0.0",
    description: null,
    createdAt: "2026-01-01T00:00:00+00:00",
  });
  assert.equal(S.fields.image!.dtype, "|u1");
  assert.equal(S.fields.caption!.kind, "optional");
  assert.equal(S.fields.raw!.kind, "bytes");
  assert.equal(S.fields.v!.dtype, undefined);
  assert.equal(S.layout, "msgpack");
});

Deno.test("fromLocalRecord rejects malformed records with invalid_record", () => {
  const bad = (rec: unknown, re: RegExp) =>
    assert.throws(() => fromLocalRecord(rec), (e) => {
      assert.ok(e instanceof SchemaError);
      assert.equal(e.code, "invalid_record");
      assert.match(e.message, re);
      return true;
    });
  bad({ name: "A", version: "1.0.0" }, /fields: expected array, received missing/);
  bad(
    { name: "A", version: "1.0.0", fields: [{ name: "x", fieldType: { $type: "local#ref" } }] },
    /fields\.0\.fieldType: unsupported field type "local#ref"/,
  );
  bad(
    {
      name: "A",
      version: "1.0.0",
      fields: [{ name: "x", fieldType: { $type: "local#ndarray", dtype: "<U3" } }],
    },
    /Unknown dtype "<U3"/,
  );
  bad(
    { name: "A", version: "1.0", fields: [{ name: "x", fieldType: { $type: "local#primitive" } }] },
    /Invalid version "1.0"/,
  );
});
