/**
 * Pieces shared by the atdata record exporters and importers: shardline's extension keys,
 * record validation errors, and rebuilding a schema from imported fields. Private.
 *
 * shardline keeps what atdata records cannot say in `"x-shardline"` objects, which atdata
 * ignores: per field `{ manifest, buckets, ext }`, per schema `{ layout }`. Timestamps, which
 * atdata has no type for, are strings with `"format": "date-time"` (ISO 8601).
 *
 * @module
 */
import { z } from "zod";
import { defineSchema, type Fields, type Schema, type SchemaLayout } from "./define_schema.ts";
import { f, type Field, type FieldOptions } from "./field.ts";
import type { ManifestRole } from "./manifest_field.ts";
import { fromZodIssues } from "./_issues.ts";
import { SchemaError } from "./schema_error.ts";

/** The per-field extension object. */
export interface FieldExtension {
  manifest?: ManifestRole;
  buckets?: number[];
  ext?: string;
}

/** The per-schema extension object. */
export interface SchemaExtension {
  layout?: SchemaLayout;
}

export const fieldExtensionZod = z.object({
  manifest: z.enum(["categorical", "numeric", "set", "timestamp", "exclude"]).optional(),
  buckets: z.array(z.number()).optional(),
  ext: z.string().optional(),
}).optional();

export const schemaExtensionZod = z.object({
  layout: z.enum(["msgpack", "files"]).optional(),
}).optional();

/** The extension object of a field, or undefined when it declares nothing. */
export function fieldExtension(field: Field): FieldExtension | undefined {
  const ext: FieldExtension = {
    ...(field.manifest && { manifest: field.manifest }),
    ...(field.buckets && { buckets: [...field.buckets] }),
    ...(field.ext && { ext: field.ext }),
  };
  return Object.keys(ext).length ? ext : undefined;
}

/** Field options from an extension object and a description. */
export function fieldOptions(
  ext: FieldExtension | undefined,
  description?: string | null,
): FieldOptions {
  return {
    ...(ext?.manifest &&
      { manifest: ext.buckets ? { role: ext.manifest, buckets: ext.buckets } : ext.manifest }),
    ...(ext?.ext && { ext: ext.ext }),
    ...(description != null && { description }),
  };
}

/** The base (non-optional) field and whether it was optional. */
export function unwrapOptional(field: Field): { base: Field; optional: boolean } {
  let base = field;
  while (base.kind === "optional") base = base.inner!;
  return { base, optional: base !== field };
}

/** Validates a record against a zod shape, or throws `"invalid_record"` naming what is wrong. */
export function checkRecord<T>(zod: z.ZodType<T>, record: unknown, what: string): T {
  const r = zod.safeParse(record);
  if (r.success) return r.data;
  const issues = fromZodIssues(r.error.issues, {}, record);
  const first = issues[0]!;
  throw new SchemaError(
    "invalid_record",
    `Cannot import ${what}: ${first.path.join(".") || "(record)"}: expected ${first.expected}, ` +
      `received ${first.received}` + (issues.length > 1 ? ` (and ${issues.length - 1} more)` : ""),
    { issues },
  );
}

/** Wraps a field builder error raised during import as `"invalid_record"`. */
export function importField(what: string, path: string, make: () => Field): Field {
  try {
    return make();
  } catch (err) {
    if (!(err instanceof SchemaError)) throw err;
    throw new SchemaError("invalid_record", `Cannot import ${what}: ${path}: ${err.message}`, {
      cause: err,
      issues: [{
        path: path.split("."),
        expected: "a valid field",
        received: "?",
        message: err.message,
        code: err.code,
      }],
    });
  }
}

/** Defines the imported schema, reporting definition errors as `"invalid_record"`. */
export function importSchema(
  what: string,
  definition: {
    name: string;
    version: string;
    fields: Fields;
    layout?: SchemaLayout;
    description?: string;
  },
): Schema {
  try {
    return defineSchema(definition);
  } catch (err) {
    if (!(err instanceof SchemaError)) throw err;
    throw new SchemaError("invalid_record", `Cannot import ${what}: ${err.message}`, {
      cause: err,
    });
  }
}

/** Wraps `field` as optional when `optional` is set (the wrapper keeps its options). */
export function maybeOptional(field: Field, optional: boolean): Field {
  return optional ? f.optional(field) : field;
}

/** Rebuilds a freshly imported field with options (builders take options at creation). */
export function withOptions(field: Field, options: FieldOptions): Field {
  if (Object.keys(options).length === 0) return field;
  switch (field.kind) {
    case "ndarray":
      return f.ndarray({
        dtype: field.dtype,
        ...(field.shape && { shape: field.shape }),
        ...options,
      });
    case "list":
      return f.list(field.item!, options);
    case "optional":
      return f.optional(field.inner!, options);
    default:
      return (f[field.kind] as (o: typeof options) => Field)(options);
  }
}
