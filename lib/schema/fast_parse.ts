/**
 * Compiled validators: plain `typeof`/`instanceof` checks built once per field, returning what
 * the field's zod schema returns for values it accepts (lists copied, missing optionals `null`)
 * and {@linkcode FAIL} otherwise. `safeParse` tries them first and asks zod only on a failure,
 * so issues still come from zod. Fields not made by the `f` builders (hand-made `Field`
 * objects with their own zod) have no compiled form and keep zod for the whole schema.
 *
 * Two implementations of one path (compiled and zod) stay because `bench/codecs.ts` measures the
 * compiled one against zod alone on encode and decode.
 *
 * @module
 */
import type { Field } from "./field.ts";
import { dtypeInfo } from "./_dtype.ts";
import { isNDArray } from "./nd_array.ts";

/** Returned by a {@linkcode FastParse} for a value zod would reject. */
export const FAIL: unique symbol = Symbol("FAIL");

/** A compiled field validator: the parsed value, or {@linkcode FAIL}. */
export type FastParse = (value: unknown) => unknown;

/** A compiled sample validator: the parsed sample (unknown keys dropped), or {@linkcode FAIL}. */
export type FastSampleParse = (sample: unknown) => Record<string, unknown> | typeof FAIL;

const compiled = new WeakMap<Field, FastParse>();

/** Records the compiled validator of a field made by a builder. */
export function setFastParse(field: Field, parse: FastParse): void {
  compiled.set(field, parse);
}

/** The compiled validator of a field, if a builder made it. */
export function fastParseOf(field: Field | undefined): FastParse | undefined {
  return field && compiled.get(field);
}

/** `z.string()`. */
export const strParse: FastParse = (v) => (typeof v === "string" ? v : FAIL);
/** The ints msgpack's int64/uint64 (and Python's msgpack) can hold, as issues name them. */
export const INT_RANGE = "int in [-2^63, 2^64-1]";
const MIN_INT = -(2n ** 63n);
const MAX_INT = 2n ** 64n - 1n;

/**
 * Whether an integral number or a bigint lies in {@linkcode INT_RANGE}. Numbers compare as
 * doubles: -2^63 is one, and the largest double below 2^64 is the largest number in range.
 */
export function intInRange(v: number | bigint): boolean {
  return typeof v === "number" ? v >= -(2 ** 63) && v < 2 ** 64 : v >= MIN_INT && v <= MAX_INT;
}

/** `f.int()`'s zod: an integral number or a bigint, in {@linkcode INT_RANGE}. */
export const intParse: FastParse = (v) =>
  typeof v === "number"
    ? Number.isInteger(v) && v >= -(2 ** 63) && v < 2 ** 64 ? v : FAIL
    : typeof v === "bigint" && v >= MIN_INT && v <= MAX_INT
    ? v
    : FAIL;
/** `z.custom(typeof number)`: NaN and infinities included. */
export const floatParse: FastParse = (v) => (typeof v === "number" ? v : FAIL);
/** `z.boolean()`. */
export const boolParse: FastParse = (v) => (typeof v === "boolean" ? v : FAIL);
/** `z.custom(instanceof Uint8Array)`. */
export const bytesParse: FastParse = (v) => (v instanceof Uint8Array ? v : FAIL);
/** `z.date()`: a valid `Date`. */
export const timestampParse: FastParse = (v) =>
  v instanceof Date && !Number.isNaN(v.getTime()) ? v : FAIL;

/** The ndarray check of `f.ndarray`: an NDArray of `dtype` (normalized) and `shape`. */
export function ndarrayParse(dtype?: string, shape?: (number | null)[]): FastParse {
  return (v) => {
    if (!isNDArray(v)) return FAIL;
    if (dtype !== undefined && v.dtype !== dtype && normalDtype(v.dtype) !== dtype) return FAIL;
    if (shape) {
      if (v.shape.length !== shape.length) return FAIL;
      for (let i = 0; i < shape.length; i++) {
        const d = shape[i];
        if (d !== null && d !== v.shape[i]) return FAIL;
      }
    }
    return v;
  };
}

function normalDtype(dtype: string): string {
  try {
    return dtypeInfo(dtype).str;
  } catch {
    return dtype;
  }
}

/** `z.array(item)`: a new array of the parsed items. */
export function listParse(item: FastParse): FastParse {
  return (v) => {
    if (!Array.isArray(v)) return FAIL;
    const n = v.length;
    const out = new Array(n);
    for (let i = 0; i < n; i++) {
      const r = item(v[i]);
      if (r === FAIL) return FAIL;
      out[i] = r;
    }
    return out;
  };
}

/** `inner.nullable().default(null)`: `undefined` and `null` give `null`. */
export function optionalParse(inner: FastParse): FastParse {
  return (v) => (v === undefined || v === null ? null : inner(v));
}

/** Whether `new Function` works here (strict CSPs forbid it; zod probes the same way). */
const canEval: boolean = (() => {
  try {
    return new Function("return true")() === true;
  } catch {
    return false;
  }
})();

/**
 * The compiled validator of a sample with `fields` (`z.object`: a non-array object; keys in
 * declaration order), or undefined when some field has none or code cannot be generated.
 * Generated so every property access names its key: a loop over names (`input[name]`) is
 * megamorphic and measured slower than zod's own generated object parser.
 */
export function compileSampleParse(fields: Record<string, Field>): FastSampleParse | undefined {
  const parsers = fieldParsers(fields);
  if (!parsers) return undefined;
  const keys = Object.keys(fields).map((n) => JSON.stringify(n));
  return generate(
    "x",
    `if (typeof x !== "object" || x === null || Array.isArray(x)) return FAIL;`,
    keys.map((k) => `x[${k}]`),
    keys,
    parsers,
  );
}

/**
 * A compiled validator taking field values in declaration order and a sample key, giving
 * `{ __key__, ...parsed }` or {@linkcode FAIL}: what the decoders build, without the sample
 * object in between.
 */
export type FastKeyedParse = (
  values: unknown[],
  key: string,
) => Record<string, unknown> | typeof FAIL;

/** The {@linkcode FastKeyedParse} of `fields`, or undefined (see {@linkcode compileSampleParse}). */
export function compileKeyedParse(fields: Record<string, Field>): FastKeyedParse | undefined {
  const parsers = fieldParsers(fields);
  if (!parsers) return undefined;
  const keys = Object.keys(fields).map((n) => JSON.stringify(n));
  return generate(
    "v, key",
    "",
    keys.map((_, i) => `v[${i}]`),
    [`"__key__": key`, ...keys],
    parsers,
  );
}

const keyed = new WeakMap<object, FastKeyedParse>();

/** Records the keyed validator of a schema (`defineSchema` does). */
export function setKeyedParse(schema: object, parse: FastKeyedParse): void {
  keyed.set(schema, parse);
}

/** The keyed validator of a schema made by `defineSchema`, if it has one. */
export function keyedParseOf(schema: object): FastKeyedParse | undefined {
  return keyed.get(schema);
}

function fieldParsers(fields: Record<string, Field>): FastParse[] | undefined {
  if (!canEval) return undefined;
  const parsers: FastParse[] = [];
  for (const name of Object.keys(fields)) {
    const p = fastParseOf(fields[name]);
    if (!p || name === "__proto__" || name === "__key__") return undefined;
    parsers.push(p);
  }
  return parsers;
}

/** `function (args) { guard; const vI = p[I](inputs[I]); ...; return { out..., keyI: vI } }`. */
function generate<T>(
  args: string,
  guard: string,
  inputs: string[],
  out: string[],
  p: FastParse[],
): T {
  const extra = out.length - inputs.length; // leading literal entries such as __key__
  const body = [
    `return function fastParse(${args}) {`,
    guard,
    ...inputs.map((x, i) => `const v${i} = p[${i}](${x});\nif (v${i} === FAIL) return FAIL;`),
    `return { ${out.map((k, i) => (i < extra ? k : `${k}: v${i - extra}`)).join(", ")} };`,
    `};`,
  ].join("\n");
  return new Function("p", "FAIL", body)(p, FAIL) as T;
}
