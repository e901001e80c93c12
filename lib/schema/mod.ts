/**
 * Schemas: typed, versioned sample types.
 *
 * Define a schema with field builders ({@linkcode f}); validate samples safely
 * (`schema.safeParse(x)` gives `{ ok, value }` or `{ ok: false, issues }` with each issue's
 * path, expected and received); read its manifest fields (declared roles, or inferred as atdata
 * infers them); export and import atdata's local and published schema records; and publish
 * versions to a store's registry at `_schemas/<name>/<version>.json`.
 *
 * | field                          | value                    | inferred manifest role |
 * | ------------------------------ | ------------------------ | ---------------------- |
 * | `f.str()`                      | `string`                 | categorical            |
 * | `f.int()`                      | `number` (or `bigint`)   | numeric                |
 * | `f.float()`                    | `number`                 | numeric                |
 * | `f.bool()`                     | `boolean`                | categorical            |
 * | `f.bytes({ ext })`             | `Uint8Array`             | exclude                |
 * | `f.ndarray({ dtype, shape })`  | {@linkcode NDArray}      | exclude                |
 * | `f.list(item)`                 | array                    | set                    |
 * | `f.optional(field)`            | value or `null`          | the inner field's      |
 * | `f.timestamp()`                | `Date` (ISO 8601 stored) | timestamp              |
 *
 * Schema evolution: a newer version that adds optional fields reads samples written under
 * the older one (missing optional fields decode as `null`); {@linkcode checkCompatibility}
 * says whether one version reads another's samples.
 *
 * @example
 * ```ts
 * import { defineSchema, f, NDArray, toPublishedRecord } from "./mod.ts";
 * const ImageSample = defineSchema({
 *   name: "ImageSample",
 *   version: "1.0.0",
 *   fields: {
 *     image: f.ndarray({ dtype: "float32", shape: [2, 2] }),
 *     label: f.str(),
 *     confidence: f.float({ manifest: { role: "numeric", buckets: [0, 0.5, 0.9, 1] } }),
 *   },
 * });
 * const r = ImageSample.safeParse({
 *   image: NDArray.from(new Float32Array([0, 1, 2, 3]), { shape: [2, 2] }),
 *   label: "cat",
 *   confidence: 0.95,
 * });
 * if (!r.ok) throw new Error(r.issues[0]!.message);
 * console.log(ImageSample.manifestFields, toPublishedRecord(ImageSample).schema.required);
 * ```
 *
 * @module
 */
export {
  defineSchema,
  type Fields,
  type FieldValue,
  type Infer,
  type SafeParseResult,
  type SampleInput,
  type SampleOf,
  type Schema,
  type SchemaDefinition,
  type SchemaLayout,
} from "./define_schema.ts";
export {
  f,
  type Field,
  type FieldKind,
  type FieldOptions,
  type NDArrayFieldOptions,
} from "./field.ts";
export {
  isNDArray,
  isTypedArray,
  NDArray,
  type NDArrayFromOptions,
  type TypedArray,
} from "./nd_array.ts";
export type { ManifestField, ManifestRole, ManifestValueType } from "./manifest_field.ts";
export {
  formatIssues,
  SchemaError,
  type SchemaErrorCode,
  type SchemaIssue,
} from "./schema_error.ts";
export {
  type AtdataFieldType,
  type AtdataLocalField,
  type AtdataLocalRecord,
  fromLocalRecord,
  toLocalRecord,
  type ToLocalRecordOptions,
} from "./atdata_local_record.ts";
export {
  type AtdataPublishedRecord,
  fromPublishedRecord,
  type JsonSchemaProperty,
  NDARRAY_REF,
  toPublishedRecord,
  type ToPublishedRecordOptions,
} from "./atdata_published_record.ts";
export { schemaFromRecord } from "./schema_from_record.ts";
export {
  listSchemas,
  loadSchema,
  type PublishedSchema,
  publishSchema,
  type PublishSchemaOptions,
  type SchemaListing,
} from "./schema_registry.ts";
export { checkCompatibility, type CompatibilityResult } from "./check_compatibility.ts";
