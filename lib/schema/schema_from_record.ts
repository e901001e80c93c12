/**
 * {@linkcode schemaFromRecord}: imports either atdata schema record shape, telling them apart.
 *
 * @module
 */
import type { Schema } from "./define_schema.ts";
import { fromLocalRecord } from "./atdata_local_record.ts";
import { fromPublishedRecord } from "./atdata_published_record.ts";
import { SchemaError } from "./schema_error.ts";

/**
 * Imports a schema from atdata's local record (a `fields` array) or published record
 * (`schemaType: "jsonSchema"` or a `schema` object), such as a parsed `_schemas/...json` file.
 * Throws {@linkcode SchemaError} `"invalid_record"` when the record is neither.
 *
 * @example
 * ```ts
 * import { schemaFromRecord } from "./schema_from_record.ts";
 * const local = schemaFromRecord({
 *   name: "S",
 *   version: "1.0.0",
 *   fields: [{ name: "label", fieldType: { $type: "local#primitive", primitive: "str" }, optional: false }],
 * });
 * const published = schemaFromRecord({
 *   name: "S",
 *   version: "1.0.0",
 *   schemaType: "jsonSchema",
 *   schema: { type: "object", properties: { label: { type: "string" } }, required: ["label"] },
 * });
 * if (local.fields.label!.kind !== "str" || published.fields.label!.kind !== "str") {
 *   throw new Error("unexpected import");
 * }
 * ```
 */
export function schemaFromRecord(record: unknown): Schema {
  if (typeof record === "object" && record !== null) {
    const r = record as Record<string, unknown>;
    if (r.schemaType === "jsonSchema" || (typeof r.schema === "object" && r.schema !== null)) {
      return fromPublishedRecord(record);
    }
    if (Array.isArray(r.fields)) return fromLocalRecord(record);
  }
  throw new SchemaError(
    "invalid_record",
    "Cannot import schema record: expected atdata's local record (with a fields array) or " +
      'published record (schemaType "jsonSchema")',
  );
}
