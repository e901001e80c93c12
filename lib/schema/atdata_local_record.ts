/**
 * atdata's local schema record (`atdata://local/schema/{Name}@{semver}`): export a
 * {@linkcode Schema} to it and import one from it.
 *
 * @module
 */
import { z } from "zod";
import type { Fields, Schema } from "./define_schema.ts";
import { f, type Field } from "./field.ts";
import { dtypeInfo } from "./_dtype.ts";
import {
  checkRecord,
  type FieldExtension,
  fieldExtension,
  fieldExtensionZod,
  fieldOptions,
  importField,
  importSchema,
  maybeOptional,
  type SchemaExtension,
  schemaExtensionZod,
  unwrapOptional,
  withOptions,
} from "./_record_common.ts";
import { SchemaError } from "./schema_error.ts";

/** A field type in atdata's local record (`$type` kinds `primitive`, `ndarray`, `array`). */
export type AtdataFieldType =
  | {
    $type: "local#primitive";
    primitive: "str" | "int" | "float" | "bool" | "bytes";
    /** shardline extension: `"date-time"` marks a timestamp kept as an ISO 8601 string. */
    format?: "date-time";
    /** shardline extension: a list item that may be null. */
    nullable?: boolean;
  }
  | {
    $type: "local#ndarray";
    /** numpy dtype name, e.g. `"float32"`. */
    dtype?: string;
    /** Declared shape (atdata 1.1 annotation), `null` for a free dimension. */
    shape?: (number | null)[];
    nullable?: boolean;
  }
  | { $type: "local#array"; items: AtdataFieldType; nullable?: boolean };

/** One field of atdata's local record. */
export interface AtdataLocalField {
  name: string;
  fieldType: AtdataFieldType;
  optional: boolean;
  /** shardline extension: the field's description. */
  description?: string;
  /** shardline extension: declared manifest role, buckets and member ext. */
  "x-shardline"?: FieldExtension;
}

/** atdata's local schema record, plus shardline's `"x-shardline"` extension keys. */
export interface AtdataLocalRecord {
  name: string;
  version: string;
  fields: AtdataLocalField[];
  /** `atdata://local/schema/{name}@{version}`. */
  $ref?: string;
  description?: string;
  /** ISO 8601 creation time. */
  createdAt?: string;
  /** shardline extension: the tar layout. */
  "x-shardline"?: SchemaExtension;
}

/** Options for {@linkcode toLocalRecord}. */
export interface ToLocalRecordOptions {
  /**
   * The record's `createdAt`; `null` leaves it out.
   * @default new Date()
   */
  createdAt?: Date | null;
}

function fieldType(field: Field): AtdataFieldType {
  const { base, optional } = unwrapOptional(field);
  const nullable = optional ? { nullable: true } : {};
  switch (base.kind) {
    case "ndarray":
      return {
        $type: "local#ndarray",
        ...(base.dtype && { dtype: dtypeInfo(base.dtype).name }),
        ...(base.shape && { shape: [...base.shape] }),
        ...nullable,
      };
    case "list":
      return { $type: "local#array", items: fieldType(base.item!), ...nullable };
    case "timestamp":
      return { $type: "local#primitive", primitive: "str", format: "date-time", ...nullable };
    default:
      return { $type: "local#primitive", primitive: base.kind as "str", ...nullable };
  }
}

/**
 * Exports a schema as atdata's local record. Timestamps become `str` fields marked
 * `"format": "date-time"`; manifest roles, buckets, exts and the layout go in `"x-shardline"`.
 *
 * @example
 * ```ts
 * import { defineSchema } from "./define_schema.ts";
 * import { f } from "./field.ts";
 * import { fromLocalRecord, toLocalRecord } from "./atdata_local_record.ts";
 * const S = defineSchema({ name: "S", version: "1.0.0", fields: { x: f.ndarray({ dtype: "<f4" }) } });
 * const rec = toLocalRecord(S, { createdAt: null });
 * if (JSON.stringify(rec.fields[0]!.fieldType) !== '{"$type":"local#ndarray","dtype":"float32"}') {
 *   throw new Error("unexpected record");
 * }
 * if (fromLocalRecord(rec).fields.x!.dtype !== "<f4") throw new Error("round trip failed");
 * ```
 */
export function toLocalRecord(
  schema: Schema,
  options: ToLocalRecordOptions = {},
): AtdataLocalRecord {
  const createdAt = options.createdAt === undefined ? new Date() : options.createdAt;
  return {
    name: schema.name,
    version: schema.version,
    fields: Object.entries(schema.fields).map(([name, field]) => {
      const ext = fieldExtension(field);
      return {
        name,
        fieldType: fieldType(unwrapOptional(field).base),
        optional: field.kind === "optional",
        ...(field.description !== undefined && { description: field.description }),
        ...(ext && { "x-shardline": ext }),
      };
    }),
    $ref: schema.ref,
    ...(schema.description !== undefined && { description: schema.description }),
    ...(createdAt && { createdAt: createdAt.toISOString() }),
    "x-shardline": { layout: schema.layout },
  };
}

interface RawType {
  $type?: string;
  kind?: string;
  primitive?: string;
  dtype?: string | null;
  shape?: (number | null)[] | null;
  items?: RawType | null;
  format?: string;
  nullable?: boolean;
}

const rawTypeZod: z.ZodType<RawType> = z.lazy(() =>
  z.object({
    $type: z.string().optional(),
    kind: z.string().optional(),
    primitive: z.string().optional(),
    dtype: z.string().nullish(),
    shape: z.array(z.number().int().nonnegative().nullable()).nullish(),
    items: rawTypeZod.nullish(),
    format: z.string().optional(),
    nullable: z.boolean().optional(),
  })
);

const localRecordZod = z.object({
  name: z.string(),
  version: z.string(),
  fields: z.array(z.object({
    name: z.string(),
    fieldType: rawTypeZod,
    optional: z.boolean().optional(),
    description: z.string().nullish(),
    "x-shardline": fieldExtensionZod,
  })),
  description: z.string().nullish(),
  "x-shardline": schemaExtensionZod,
});

function toField(t: RawType, what: string, path: string): Field {
  const kind = t.$type?.includes("#") ? t.$type.slice(t.$type.lastIndexOf("#") + 1) : t.kind;
  let field: Field;
  if (kind === "primitive") {
    const p = t.primitive ?? "str";
    if (p === "str" && t.format === "date-time") field = f.timestamp();
    else if (p === "str" || p === "int" || p === "float" || p === "bool" || p === "bytes") {
      field = f[p]();
    } else {
      throw new SchemaError(
        "invalid_record",
        `Cannot import ${what}: ${path}: unknown primitive "${p}"`,
      );
    }
  } else if (kind === "ndarray") {
    field = importField(
      what,
      path,
      () => f.ndarray({ dtype: t.dtype ?? undefined, ...(t.shape && { shape: t.shape }) }),
    );
  } else if (kind === "array") {
    const items = t.items ?? { $type: "local#primitive", primitive: "str" };
    field = f.list(toField(items, what, `${path}.items`));
  } else {
    throw new SchemaError(
      "invalid_record",
      `Cannot import ${what}: ${path}: unsupported field type "${t.$type ?? kind}"`,
    );
  }
  return maybeOptional(field, t.nullable === true);
}

/**
 * Imports atdata's local record (or one written by {@linkcode toLocalRecord}). Throws
 * {@linkcode SchemaError} `"invalid_record"` when the record is malformed, uses a type shardline
 * lacks (`ref` fields) or an unknown dtype.
 */
export function fromLocalRecord(record: unknown): Schema {
  const what = "atdata local schema record";
  const rec = checkRecord(localRecordZod, record, what);
  const label = `${what} "${rec.name}@${rec.version}"`;
  const fields: Fields = {};
  for (const [i, raw] of rec.fields.entries()) {
    const path = `fields.${i}.fieldType`;
    const base = toField(raw.fieldType, label, path);
    const opts = fieldOptions(raw["x-shardline"], raw.description);
    const field = importField(label, path, () => withOptions(base, opts));
    fields[raw.name] = maybeOptional(field, raw.optional === true && field.kind !== "optional");
  }
  return importSchema(label, {
    name: rec.name,
    version: rec.version,
    fields,
    ...(rec["x-shardline"]?.layout && { layout: rec["x-shardline"].layout }),
    ...(rec.description != null && { description: rec.description }),
  });
}
