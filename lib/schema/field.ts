/**
 * Field builders (`f.str()`, `f.ndarray({ dtype })`, ...) and the {@linkcode Field} they return.
 *
 * @module
 */
import { z } from "zod";
import type { ManifestRole } from "./manifest_field.ts";
import { dtypeInfo } from "./_dtype.ts";
import { SCALAR } from "./_manifest_fields.ts";
import { isNDArray, type NDArray } from "./nd_array.ts";
import { SchemaError } from "./schema_error.ts";
import { isNDArrayLike, NDARRAY_LIKE_MESSAGE } from "./_issues.ts";
import {
  boolParse,
  bytesParse,
  type FastParse,
  fastParseOf,
  floatParse,
  INT_RANGE,
  intInRange,
  intParse,
  listParse,
  ndarrayParse,
  optionalParse,
  setFastParse,
  strParse,
  timestampParse,
} from "./fast_parse.ts";

/** The kinds of field a schema can hold. */
export type FieldKind =
  | "str"
  | "int"
  | "float"
  | "bool"
  | "bytes"
  | "ndarray"
  | "list"
  | "optional"
  | "timestamp";

/** Options every field builder takes. */
export interface FieldOptions {
  /**
   * Manifest role, or role plus numeric histogram bucket edges.
   * @default inferred as atdata does: str/bool categorical, int/float numeric, list set,
   * timestamp timestamp, bytes/ndarray exclude; optional keeps the inner field's role
   */
  manifest?: ManifestRole | { role: ManifestRole; buckets?: number[] };
  /**
   * Tar member extension of this field in the `"files"` layout (`"jpg"`, `"seg.png"`).
   * @default by kind: str txt, int cls, float/bool/list/timestamp json, bytes bin, ndarray npy
   */
  ext?: string;
  /** Human-readable description, exported into schema records. */
  description?: string;
}

/** Options of {@linkcode f.ndarray}. */
export interface NDArrayFieldOptions extends FieldOptions {
  /**
   * Element type: numpy name (`"float32"`) or `dtype.str` (`"<f4"`). Leave it out only for
   * arrays of any dtype (atdata's published records do not always say).
   */
  dtype: string | undefined;
  /**
   * Fixed shape; `null` leaves a dimension free (`[null, 3]`).
   * @default any shape
   */
  shape?: (number | null)[];
}

/**
 * One field of a schema: its kind, how it validates (`zod`), and its manifest and layout options.
 * `T` is the field's value type in decoded samples.
 */
export interface Field<T = unknown> {
  /** The field kind. */
  readonly kind: FieldKind;
  /** The zod schema validating this field's values. */
  readonly zod: z.ZodType<T>;
  /** Declared manifest role (undefined: inferred, see {@linkcode FieldOptions.manifest}). */
  readonly manifest?: ManifestRole;
  /** Declared histogram bucket edges for numeric fields. */
  readonly buckets?: number[];
  /** Declared member extension for the `"files"` layout. */
  readonly ext?: string;
  /** Human-readable description. */
  readonly description?: string;
  /** ndarray fields: the dtype as numpy `dtype.str` (`"<f4"`); undefined accepts any dtype. */
  readonly dtype?: string;
  /** ndarray fields: the declared shape (`null` = free dimension). */
  readonly shape?: (number | null)[];
  /** list fields: the item field. */
  readonly item?: Field;
  /** optional fields: the wrapped field. */
  readonly inner?: Field;
}

export {
  /** Describes a field's type for messages: `"str"`, `"list<int>"`, `"ndarray<float32>[2,*]"`. */
  describeField,
} from "./_issues.ts";

const ROLES: Record<FieldKind, ManifestRole[]> = {
  str: ["categorical", "exclude"],
  bool: ["categorical", "exclude"],
  int: ["numeric", "categorical", "exclude"],
  float: ["numeric", "exclude"],
  timestamp: ["timestamp", "exclude"],
  list: ["set", "exclude"],
  bytes: ["exclude"],
  ndarray: ["exclude"],
  optional: [],
};

/**
 * Builds a field. `fast` is the compiled twin of `zod` (see `fast_parse.ts`): it must accept
 * exactly what `zod` accepts and return what zod returns; undefined leaves the field zod-only.
 */
function make<T>(
  kind: FieldKind,
  zod: z.ZodType<T>,
  options: FieldOptions,
  extra = {},
  fast?: FastParse,
): Field<T> {
  const m = options.manifest;
  const role = typeof m === "string" ? m : m?.role;
  const buckets = typeof m === "object" ? m.buckets : undefined;
  const field: Field<T> = { kind, zod, ...extra };
  let baseField: Field = field;
  while (baseField.inner) baseField = baseField.inner;
  const base = baseField.kind;
  if (role !== undefined && !ROLES[base].includes(role)) {
    throw new SchemaError(
      "invalid_schema",
      `Invalid manifest role "${role}" for a ${base} field: use one of ${ROLES[base].join(", ")}`,
    );
  }
  if (role === "set" && !SCALAR[baseField.item?.kind ?? "bytes"]) {
    throw new SchemaError(
      "invalid_schema",
      `A "set" field must be a list of str, int, float or bool`,
    );
  }
  if (buckets !== undefined) {
    const ok = role === "numeric" && buckets.length >= 2 &&
      buckets.every((b, i) => Number.isFinite(b) && (i === 0 || b > buckets[i - 1]!));
    if (!ok) {
      throw new SchemaError(
        "invalid_schema",
        `Invalid buckets [${buckets}]: a numeric field needs >= 2 ascending finite edges`,
      );
    }
  }
  if (options.ext !== undefined && !/^[a-z0-9_]+(\.[a-z0-9_]+)*$/.test(options.ext)) {
    throw new SchemaError(
      "invalid_schema",
      `Invalid ext "${options.ext}": use lowercase dot-separated parts such as "jpg" or "seg.png"`,
    );
  }
  const made = Object.freeze({
    ...field,
    ...(role !== undefined && { manifest: role }),
    ...(buckets !== undefined && { buckets: [...buckets] }),
    ...(options.ext !== undefined && { ext: options.ext }),
    ...(options.description !== undefined && { description: options.description }),
  });
  if (fast) setFastParse(made, fast);
  return made;
}

const isInt = (v: unknown): v is number | bigint =>
  typeof v === "bigint" || (typeof v === "number" && Number.isInteger(v));

/**
 * `f.int()`'s zod: an integral number or bigint that msgpack's int64/uint64 can hold (beyond
 * them, values would wrap when encoded). The range issue carries its `expected` in `params`.
 */
function intZod(): z.ZodType<number | bigint> {
  return z.custom<number | bigint>(isInt).superRefine((v, ctx) => {
    if (!intInRange(v)) {
      ctx.addIssue({
        code: "custom",
        message: `Invalid input: expected ${INT_RANGE}, received ${typeof v} ${v}`,
        params: { code: "out_of_range", expected: INT_RANGE },
      });
    }
  });
}

function ndarrayZod(dtype?: string, shape?: (number | null)[]): z.ZodType<NDArray> {
  // Only NDArray instances: a plain { dtype, shape, data } object is unchecked (the data may
  // not fit the dtype or shape) and has no bytes() to encode, so the issue says how to wrap it.
  const error = (issue: { input?: unknown }) =>
    isNDArrayLike(issue.input) ? NDARRAY_LIKE_MESSAGE : undefined;
  return z.custom<NDArray>(isNDArray, { error }).superRefine((a, ctx) => {
    let got: string;
    try {
      got = dtypeInfo(a.dtype).str;
    } catch {
      got = a.dtype;
    }
    if (dtype !== undefined && got !== dtype) {
      ctx.addIssue({ code: "custom", message: `dtype ${got} is not ${dtype}` });
    }
    const ok = !shape ||
      (a.shape.length === shape.length && shape.every((d, i) => d === null || d === a.shape[i]));
    if (!ok) {
      ctx.addIssue({
        code: "custom",
        message: `shape [${a.shape}] is not [${shape!.map((d) => d ?? "*")}]`,
      });
    }
  });
}

/**
 * The field builders. Each returns a {@linkcode Field}; pass them to `defineSchema({ fields })`.
 *
 * @example
 * ```ts
 * import { f } from "./field.ts";
 * const fields = {
 *   image: f.bytes({ ext: "jpg" }),
 *   label: f.str(),
 *   confidence: f.float({ manifest: { role: "numeric", buckets: [0, 0.5, 0.9, 1] } }),
 *   embedding: f.ndarray({ dtype: "float32", shape: [null, 512] }),
 *   tags: f.list(f.str()),
 *   note: f.optional(f.str({ manifest: "exclude" })),
 *   takenAt: f.timestamp(),
 * };
 * if (fields.note.kind !== "optional" || fields.embedding.dtype !== "<f4") throw new Error();
 * ```
 */
export const f = {
  /** A UTF-8 string. Value: `string`. Role: categorical. */
  str: (options: FieldOptions = {}): Field<string> =>
    make("str", z.string(), options, {}, strParse),
  /**
   * An integer in [-2^63, 2^64-1] (what msgpack's int64/uint64 hold). Value: `number` (a
   * `bigint` beyond 2^53). Role: numeric.
   */
  int: (options: FieldOptions = {}): Field<number | bigint> =>
    make("int", intZod(), options, {}, intParse),
  /** A float64 (NaN and infinities allowed). Value: `number`. Role: numeric. */
  float: (options: FieldOptions = {}): Field<number> =>
    make("float", z.custom<number>((v) => typeof v === "number"), options, {}, floatParse),
  /** A boolean. Value: `boolean`. Role: categorical. */
  bool: (options: FieldOptions = {}): Field<boolean> =>
    make("bool", z.boolean(), options, {}, boolParse),
  /** Raw bytes (images, audio, blobs). Value: `Uint8Array`. Role: exclude. */
  bytes: (options: FieldOptions = {}): Field<Uint8Array> =>
    make("bytes", z.custom<Uint8Array>((v) => v instanceof Uint8Array), options, {}, bytesParse),
  /** An n-dimensional array. Value: {@linkcode NDArray}. Role: exclude. */
  ndarray: (options: NDArrayFieldOptions): Field<NDArray> => {
    const dtype = options.dtype === undefined ? undefined : dtypeInfo(options.dtype).str;
    return make("ndarray", ndarrayZod(dtype, options.shape), options, {
      ...(dtype !== undefined && { dtype }),
      ...(options.shape && { shape: [...options.shape] }),
    }, ndarrayParse(dtype, options.shape));
  },
  /** A list of `item` values. Value: array. Role: set. */
  list: <T>(item: Field<T>, options: FieldOptions = {}): Field<T[]> => {
    const fast = fastParseOf(item);
    return make("list", z.array(item.zod), options, { item }, fast && listParse(fast));
  },
  /**
   * A field that may be missing or null (decoded as `null`). Keeps the inner field's role,
   * ext and description unless overridden.
   */
  optional: <T>(inner: Field<T>, options: FieldOptions = {}): Field<T | null> => {
    const zod = inner.zod.nullable().default(null) as unknown as z.ZodType<T | null>;
    const manifest = options.manifest ??
      (inner.manifest &&
        (inner.buckets ? { role: inner.manifest, buckets: inner.buckets } : inner.manifest));
    const fast = fastParseOf(inner);
    return make(
      "optional",
      zod,
      {
        manifest,
        ext: options.ext ?? inner.ext,
        description: options.description ?? inner.description,
      },
      { inner },
      fast && optionalParse(fast),
    );
  },
  /** A point in time. Value: `Date`; stored as an ISO 8601 string. Role: timestamp. */
  timestamp: (options: FieldOptions = {}): Field<Date> =>
    make("timestamp", z.date(), options, {}, timestampParse),
};
