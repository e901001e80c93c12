/**
 * {@linkcode defineSchema}: a named, versioned sample type built from field builders, with safe
 * validation, manifest fields and a tar layout.
 *
 * @module
 */
import { displayable } from "../display/mod.ts";
import { z } from "zod";
import type { Field, FieldKind } from "./field.ts";
import type { ManifestField } from "./manifest_field.ts";
import { manifestFieldsOf } from "./_manifest_fields.ts";
import { formatIssues, fromZodIssues } from "./_issues.ts";
import { isSemver } from "./_semver.ts";
import { compileKeyedParse, compileSampleParse, FAIL, setKeyedParse } from "./fast_parse.ts";
import { SchemaError, type SchemaIssue } from "./schema_error.ts";

// deno-lint-ignore no-explicit-any
type AnyField = Field<any>;

/** The fields of a schema, by name, in declaration order. */
export type Fields = Record<string, AnyField>;

/** The value type of one field. */
export type FieldValue<F> = F extends Field<infer T> ? T : never;

/** A decoded sample of a schema with fields `F` (optional fields are `T | null`). */
export type SampleOf<F extends Fields> = { [K in keyof F]: FieldValue<F[K]> };

type NullableKeys<F extends Fields> = {
  [K in keyof F]: null extends FieldValue<F[K]> ? K : never;
}[keyof F];

/** A sample as given to `encodeSample` or `parse`: optional fields may be left out. */
export type SampleInput<F extends Fields> =
  & { [K in Exclude<keyof F, NullableKeys<F>>]: FieldValue<F[K]> }
  & { [K in NullableKeys<F>]?: FieldValue<F[K]> };

/** The sample type of a schema: `Infer<typeof MySchema>`. */
export type Infer<S> = S extends Schema<infer F> ? SampleOf<F> : never;

/**
 * How samples are laid out in a tar shard: `"msgpack"` (one atdata `<key>.msgpack` member
 * holding all fields) or `"files"` (one member per field, by extension).
 */
export type SchemaLayout = "msgpack" | "files";

/** Result of {@linkcode Schema.safeParse}. */
export type SafeParseResult<T> = { ok: true; value: T } | { ok: false; issues: SchemaIssue[] };

/** The argument of {@linkcode defineSchema}. */
export interface SchemaDefinition<F extends Fields> {
  /** Schema name: letters, digits, `_`, `-`, dot-separated parts (`"ImageSample"`). */
  name: string;
  /** Semantic version (`"1.0.0"`). */
  version: string;
  /** The fields, in the order samples are written. */
  fields: F;
  /**
   * Tar layout of samples.
   * @default "msgpack"
   */
  layout?: SchemaLayout;
  /** Human-readable description. */
  description?: string;
}

/** A defined schema. */
export interface Schema<F extends Fields = Fields> {
  /** Schema name. */
  readonly name: string;
  /** Semantic version. */
  readonly version: string;
  /** `name@version`. */
  readonly id: string;
  /** atdata's reference: `atdata://local/schema/{name}@{version}`. */
  readonly ref: string;
  /** The fields, in declaration order. */
  readonly fields: Readonly<F>;
  /** Tar layout of samples. */
  readonly layout: SchemaLayout;
  /** Human-readable description. */
  readonly description?: string;
  /** Tar member extension of each field in the `"files"` layout (declared or default by kind). */
  readonly exts: Readonly<Record<keyof F & string, string>>;
  /** The zod object validating samples (missing optional fields become `null`). */
  readonly zod: z.ZodType<SampleOf<F>>;
  /** The queryable fields for manifests, in declaration order. */
  readonly manifestFields: ManifestField[];
  /** Validates a sample without throwing. Unknown keys (such as `__key__`) are dropped. */
  safeParse(x: unknown): SafeParseResult<SampleOf<F>>;
  /** Validates a sample; throws {@linkcode SchemaError} `"validation_failed"` with the issues. */
  parse(x: unknown): SampleOf<F>;
}

const DEFAULT_EXT: Record<Exclude<FieldKind, "optional">, string> = {
  str: "txt",
  int: "cls",
  float: "json",
  bool: "json",
  list: "json",
  timestamp: "json",
  bytes: "bin",
  ndarray: "npy",
};

/** The member extension of a field: declared, else the default of its (inner) kind. */
function extOf(field: Field): string {
  let base = field;
  while (base.kind === "optional" && !base.ext) base = base.inner!;
  return base.ext ?? DEFAULT_EXT[base.kind as Exclude<FieldKind, "optional">];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$/;
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function invalid(message: string): never {
  throw new SchemaError("invalid_schema", message);
}

/**
 * Defines a schema. Throws {@linkcode SchemaError} `"invalid_schema"` for a bad name, version,
 * field name, layout, or (in the `"files"` layout) two fields sharing one extension.
 *
 * @example
 * ```ts
 * import { defineSchema } from "./define_schema.ts";
 * import { f } from "./field.ts";
 * const Image = defineSchema({
 *   name: "ImageSample",
 *   version: "1.0.0",
 *   fields: { image: f.bytes(), label: f.str(), confidence: f.float(), note: f.optional(f.str()) },
 * });
 * const ok = Image.safeParse({ image: new Uint8Array(3), label: "cat", confidence: 0.9 });
 * if (!ok.ok || ok.value.note !== null) throw new Error("expected a valid sample");
 * const bad = Image.safeParse({ image: new Uint8Array(3), label: 7, confidence: 0.9 });
 * if (bad.ok || bad.issues[0]!.expected !== "str") throw new Error("expected an issue");
 * ```
 */
export function defineSchema<F extends Fields>(definition: SchemaDefinition<F>): Schema<F> {
  const { name, version, fields, layout = "msgpack", description } = definition;
  if (typeof name !== "string" || !NAME.test(name)) {
    invalid(`Invalid schema name ${JSON.stringify(name)}: use letters, digits, "_" and "-"`);
  }
  if (typeof version !== "string" || !isSemver(version)) {
    invalid(`Invalid version ${JSON.stringify(version)} of schema "${name}": expected semver`);
  }
  if (layout !== "msgpack" && layout !== "files") {
    invalid(`Invalid layout ${JSON.stringify(layout)} of schema "${name}"`);
  }
  const names = Object.keys(fields ?? {});
  if (names.length === 0) invalid(`Schema "${name}" has no fields`);
  const exts: Record<string, string> = {};
  const byExt = new Map<string, string>();
  for (const n of names) {
    if (!FIELD_NAME.test(n) || n.startsWith("__")) {
      invalid(`Invalid field name "${n}" in schema "${name}": use an identifier not starting "__"`);
    }
    const ext = extOf(fields[n]!);
    exts[n] = ext;
    const other = byExt.get(ext);
    if (layout === "files" && other !== undefined) {
      invalid(
        `Fields "${other}" and "${n}" of schema "${name}" both map to ".${ext}" members: ` +
          `give one of them an ext`,
      );
    }
    byExt.set(ext, n);
  }
  const zod = z.object(
    Object.fromEntries(names.map((n) => [n, fields[n]!.zod])),
  ) as unknown as z.ZodType<
    SampleOf<F>
  >;
  const id = `${name}@${version}`;
  // Compiled checks accept exactly what zod accepts; zod runs only to report a bad sample's issues.
  const fast = compileSampleParse(fields);
  const safeParse = (x: unknown): SafeParseResult<SampleOf<F>> => {
    if (fast) {
      const value = fast(x);
      if (value !== FAIL) return { ok: true, value: value as SampleOf<F> };
    }
    const r = zod.safeParse(x);
    return r.success
      ? { ok: true, value: r.data }
      : { ok: false, issues: fromZodIssues(r.error.issues, fields, x) };
  };
  const schema: Schema<F> = Object.freeze(displayable("schema", {
    name,
    version,
    id,
    ref: `atdata://local/schema/${id}`,
    fields: Object.freeze({ ...fields }),
    layout,
    ...(description !== undefined && { description }),
    exts: Object.freeze(exts) as Record<keyof F & string, string>,
    zod,
    manifestFields: manifestFieldsOf(fields),
    safeParse,
    parse(x: unknown): SampleOf<F> {
      const r = safeParse(x);
      if (r.ok) return r.value;
      throw new SchemaError(
        "validation_failed",
        `Sample does not match schema "${id}": ${formatIssues(r.issues)}`,
        { issues: r.issues },
      );
    },
  }));
  const keyed = compileKeyedParse(fields);
  if (keyed) setKeyedParse(schema, keyed);
  return schema;
}
