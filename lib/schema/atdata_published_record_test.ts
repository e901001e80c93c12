import assert from "node:assert/strict";
import { defineSchema } from "./define_schema.ts";
import { f } from "./field.ts";
import { fromPublishedRecord, NDARRAY_REF, toPublishedRecord } from "./atdata_published_record.ts";
import { toLocalRecord } from "./atdata_local_record.ts";
import { schemaFromRecord } from "./schema_from_record.ts";
import { SchemaError } from "./schema_error.ts";
import { createdAt, Everything } from "./_test_schemas.ts";

const Image = defineSchema({
  name: "ImageSample",
  version: "1.0.0",
  fields: {
    image: f.ndarray({ dtype: "float32" }),
    label: f.str(),
    confidence: f.optional(f.float()),
    tags: f.list(f.str()),
    raw: f.bytes(),
  },
});

Deno.test("toPublishedRecord writes science.alt.dataset.schema with a draft-07 body", () => {
  assert.deepEqual(toPublishedRecord(Image, { createdAt }), {
    $type: "science.alt.dataset.schema",
    name: "ImageSample",
    version: "1.0.0",
    schemaType: "jsonSchema",
    schema: {
      $type: "science.alt.dataset.schema#jsonSchemaFormat",
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      properties: {
        image: { $ref: NDARRAY_REF, dtype: "float32" },
        label: { type: "string" },
        confidence: { type: "number" },
        tags: { type: "array", items: { type: "string" } },
        raw: { type: "string", format: "byte", contentEncoding: "base64" },
      },
      required: ["image", "label", "tags", "raw"],
      arrayFormatVersions: { ndarrayBytes: "1.0.0" },
      "x-shardline": { layout: "msgpack" },
    },
    createdAt: "2025-01-01T00:00:00.000Z",
    atdataSchemaVersion: 1,
  });
  assert.equal(
    NDARRAY_REF,
    "https://alt.science/schemas/atdata-ndarray-bytes/1.0.0#/$defs/ndarray",
  );
});

Deno.test("toPublishedRecord and fromPublishedRecord round-trip every field kind", () => {
  const rec = toPublishedRecord(Everything, { createdAt });
  const back = fromPublishedRecord(JSON.parse(JSON.stringify(rec)));
  assert.deepEqual(toPublishedRecord(back, { createdAt }), rec);
  assert.deepEqual(toLocalRecord(back, { createdAt }), toLocalRecord(Everything, { createdAt }));
  assert.deepEqual(back.manifestFields, Everything.manifestFields);
  assert.equal(rec.schema.properties.at!.format, "date-time");
});

Deno.test("fromPublishedRecord reads atdata's record without shardline keys", () => {
  const S = fromPublishedRecord({
    $type: "science.alt.dataset.schema",
    name: "MySample",
    version: "1.0.0",
    schemaType: "jsonSchema",
    schema: {
      $type: "science.alt.dataset.schema#jsonSchemaFormat",
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      properties: {
        image: { $ref: NDARRAY_REF },
        label: { type: "string" },
        score: { type: "number" },
      },
      required: ["image", "label"],
      arrayFormatVersions: { ndarrayBytes: "1.0.0" },
    },
    createdAt: "2026-01-01T00:00:00+00:00",
    atdataSchemaVersion: 1,
  });
  assert.deepEqual(Object.keys(S.fields), ["image", "label", "score"]);
  assert.equal(S.fields.image!.kind, "ndarray");
  assert.equal(S.fields.image!.dtype, undefined);
  assert.equal(S.fields.score!.kind, "optional");
});

Deno.test("fromPublishedRecord reads the schema: { draft, content } wrapper and schemaBody", () => {
  const body = {
    $schema: "http://json-schema.org/draft-07/schema#",
    type: "object",
    properties: { n: { type: "integer" }, at: { type: ["string", "null"], format: "date-time" } },
    required: ["n"],
  };
  const forms = [
    { draft: "draft-07", content: body },
    { draft: "draft-07", content: JSON.stringify(body) },
    { schemaBody: body },
  ];
  for (const schema of forms) {
    const S = schemaFromRecord({ name: "W", version: "0.1.0", schemaType: "jsonSchema", schema });
    assert.equal(S.fields.n!.kind, "int");
    assert.equal(S.fields.at!.kind, "optional");
    assert.equal(S.fields.at!.inner!.kind, "timestamp");
  }
});

Deno.test("fromPublishedRecord rejects newer record versions and unknown types", () => {
  const base = { name: "A", version: "1.0.0", schemaType: "jsonSchema" };
  assert.throws(
    () => fromPublishedRecord({ ...base, atdataSchemaVersion: 2, schema: { properties: {} } }),
    (e) =>
      e instanceof SchemaError && e.code === "invalid_record" &&
      /atdataSchemaVersion/.test(e.message),
  );
  assert.throws(
    () => fromPublishedRecord({ ...base, schema: { properties: { x: { type: "object" } } } }),
    (e) =>
      e instanceof SchemaError && e.code === "invalid_record" &&
      /schema\.properties\.x: unsupported JSON Schema property/.test(e.message),
  );
  assert.throws(() => schemaFromRecord({ hello: 1 }), { code: "invalid_record" });
  assert.throws(() => schemaFromRecord("x"), { code: "invalid_record" });
});
