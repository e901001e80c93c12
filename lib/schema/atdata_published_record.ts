/**
 * atdata's published schema record (`science.alt.dataset.schema`, a JSON Schema draft-07 body):
 * export a {@linkcode Schema} to it and import one from it, in the flat form atdata writes and
 * in the newer `schema: { draft, content }` wrapper.
 *
 * @module
 */
import { z } from "zod";
import type { Fields, Schema } from "./define_schema.ts";
import { f, type Field } from "./field.ts";
import { dtypeInfo } from "./_dtype.ts";
import {
  checkRecord,
  fieldExtension,
  fieldExtensionZod,
  fieldOptions,
  importField,
  importSchema,
  maybeOptional,
  schemaExtensionZod,
  unwrapOptional,
  withOptions,
} from "./_record_common.ts";
import { SchemaError } from "./schema_error.ts";

/** The `$ref` atdata gives ndarray properties. */
export const NDARRAY_REF = "https://alt.science/schemas/atdata-ndarray-bytes/1.0.0#/$defs/ndarray";

/** A JSON Schema property as atdata writes it (plus shardline's extension keys). */
export type JsonSchemaProperty = Record<string, unknown>;

/** atdata's published schema record. */
export interface AtdataPublishedRecord {
  $type: "science.alt.dataset.schema";
  name: string;
  version: string;
  schemaType: "jsonSchema";
  /** `$type` `science.alt.dataset.schema#jsonSchemaFormat` merged with the draft-07 body. */
  schema: {
    $type: "science.alt.dataset.schema#jsonSchemaFormat";
    $schema: "http://json-schema.org/draft-07/schema#";
    type: "object";
    properties: Record<string, JsonSchemaProperty>;
    required?: string[];
    /** `{ ndarrayBytes: "1.0.0" }` when a field is an ndarray. */
    arrayFormatVersions?: Record<string, string>;
    /** shardline extension: the tar layout. */
    "x-shardline"?: { layout?: "msgpack" | "files" };
  };
  /** ISO 8601 creation time. */
  createdAt: string;
  atdataSchemaVersion: 1;
  description?: string;
}

/** Options for {@linkcode toPublishedRecord}. */
export interface ToPublishedRecordOptions {
  /**
   * The record's `createdAt`.
   * @default new Date()
   */
  createdAt?: Date;
}

function property(field: Field): JsonSchemaProperty {
  const { base, optional } = unwrapOptional(field);
  // Nullable list items carry OpenAPI's `nullable` (top-level optionals use `required`).
  return optional ? { ...baseProperty(base), nullable: true } : baseProperty(base);
}

function baseProperty(base: Field): JsonSchemaProperty {
  switch (base.kind) {
    case "str":
      return { type: "string" };
    case "int":
      return { type: "integer" };
    case "float":
      return { type: "number" };
    case "bool":
      return { type: "boolean" };
    case "bytes":
      return { type: "string", format: "byte", contentEncoding: "base64" };
    case "timestamp":
      return { type: "string", format: "date-time" };
    case "list":
      return { type: "array", items: property(base.item!) };
    default: // ndarray: dtype and shape ride along as atdata 1.1-style annotations
      return {
        $ref: NDARRAY_REF,
        ...(base.dtype && { dtype: dtypeInfo(base.dtype).name }),
        ...(base.shape && { shape: [...base.shape] }),
      };
  }
}

/**
 * Exports a schema as atdata's published record. Optional fields are left out of `required`;
 * timestamps are `{"type": "string", "format": "date-time"}`; manifest roles, buckets and exts
 * go in per-property `"x-shardline"` objects, the layout in the body's `"x-shardline"`.
 *
 * @example
 * ```ts
 * import { defineSchema } from "./define_schema.ts";
 * import { f } from "./field.ts";
 * import { NDARRAY_REF, toPublishedRecord } from "./atdata_published_record.ts";
 * const S = defineSchema({ name: "S", version: "1.0.0", fields: { x: f.ndarray({ dtype: "<f4" }) } });
 * const rec = toPublishedRecord(S);
 * if (rec.schema.properties.x!.$ref !== NDARRAY_REF) throw new Error("unexpected record");
 * if (rec.schema.arrayFormatVersions?.ndarrayBytes !== "1.0.0") throw new Error("unexpected");
 * ```
 */
export function toPublishedRecord(
  schema: Schema,
  options: ToPublishedRecordOptions = {},
): AtdataPublishedRecord {
  const properties: Record<string, JsonSchemaProperty> = {};
  const required: string[] = [];
  let hasNdarray = false;
  for (const [name, field] of Object.entries(schema.fields)) {
    const ext = fieldExtension(field);
    properties[name] = {
      ...baseProperty(unwrapOptional(field).base),
      ...(field.description !== undefined && { description: field.description }),
      ...(ext && { "x-shardline": ext }),
    };
    if (field.kind !== "optional") required.push(name);
    if (JSON.stringify(properties[name]).includes(NDARRAY_REF)) hasNdarray = true;
  }
  return {
    $type: "science.alt.dataset.schema",
    name: schema.name,
    version: schema.version,
    schemaType: "jsonSchema",
    schema: {
      $type: "science.alt.dataset.schema#jsonSchemaFormat",
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      properties,
      ...(required.length && { required }),
      ...(hasNdarray && { arrayFormatVersions: { ndarrayBytes: "1.0.0" } }),
      "x-shardline": { layout: schema.layout },
    },
    createdAt: (options.createdAt ?? new Date()).toISOString(),
    atdataSchemaVersion: 1,
    ...(schema.description !== undefined && { description: schema.description }),
  };
}

const propZod = z.record(z.string(), z.unknown());
const bodyZod = z.object({
  properties: z.record(z.string(), propZod),
  required: z.array(z.string()).optional(),
  "x-shardline": schemaExtensionZod,
});
const recordZod = z.object({
  name: z.string(),
  version: z.string(),
  schemaType: z.literal("jsonSchema").optional(),
  schema: z.record(z.string(), z.unknown()),
  description: z.string().nullish(),
  atdataSchemaVersion: z.number().max(
    1,
    "atdataSchemaVersion 1 (newer records need a newer reader)",
  )
    .optional(),
});

function toField(p: Record<string, unknown>, what: string, path: string): Field {
  let type = p.type;
  let nullable = p.nullable === true;
  if (Array.isArray(type)) { // ["string", "null"], as zod and others write nullable values
    nullable ||= type.includes("null");
    type = type.find((t) => t !== "null");
  }
  let field: Field;
  if (typeof p.$ref === "string" && p.$ref.includes("ndarray")) {
    const dtype = typeof p.dtype === "string" ? p.dtype : undefined;
    const shape = Array.isArray(p.shape) ? p.shape as (number | null)[] : undefined;
    field = importField(what, path, () => f.ndarray({ dtype, ...(shape && { shape }) }));
  } else if (type === "string") {
    field = p.format === "date-time"
      ? f.timestamp()
      : p.format === "byte" || p.contentEncoding === "base64"
      ? f.bytes()
      : f.str();
  } else if (type === "integer") field = f.int();
  else if (type === "number") field = f.float();
  else if (type === "boolean") field = f.bool();
  else if (type === "array") {
    const items = typeof p.items === "object" && p.items !== null ? p.items : { type: "string" };
    field = f.list(toField(items as Record<string, unknown>, what, `${path}.items`));
  } else {
    throw new SchemaError(
      "invalid_record",
      `Cannot import ${what}: ${path}: unsupported JSON Schema property ${JSON.stringify(p)}`,
    );
  }
  return maybeOptional(field, nullable);
}

/**
 * Imports atdata's published record: the flat `schema` body atdata writes, a nested
 * `schema.schemaBody`, or the newer `schema: { draft, content }` wrapper (content as an object
 * or a JSON string). Field order follows `properties`; fields not in `required` are optional.
 * Throws {@linkcode SchemaError} `"invalid_record"` for malformed records or unsupported types.
 */
export function fromPublishedRecord(record: unknown): Schema {
  const what = "atdata published schema record";
  const rec = checkRecord(recordZod, record, what);
  const label = `${what} "${rec.name}@${rec.version}"`;
  let body: unknown = rec.schema.content ?? rec.schema.schemaBody ?? rec.schema;
  if (typeof body === "string") {
    try {
      body = JSON.parse(body);
    } catch (err) {
      throw new SchemaError(
        "invalid_record",
        `Cannot import ${label}: schema.content is not JSON`,
        {
          cause: err,
        },
      );
    }
  }
  const schema = checkRecord(bodyZod, body, label);
  const required = new Set(schema.required ?? []);
  const fields: Fields = {};
  for (const [name, prop] of Object.entries(schema.properties)) {
    const path = `schema.properties.${name}`;
    const base = toField(prop, label, path);
    const ext = checkRecord(fieldExtensionZod, prop["x-shardline"], `${label} ${path}`);
    const description = typeof prop.description === "string" ? prop.description : undefined;
    const field = importField(label, path, () => withOptions(base, fieldOptions(ext, description)));
    fields[name] = maybeOptional(field, !required.has(name) && field.kind !== "optional");
  }
  return importSchema(label, {
    name: rec.name,
    version: rec.version,
    fields,
    ...(schema["x-shardline"]?.layout && { layout: schema["x-shardline"].layout }),
    ...(rec.description != null && { description: rec.description }),
  });
}
