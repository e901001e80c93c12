/**
 * Per-field-kind conversion between sample values and the plain values codecs serialize,
 * for msgpack (bytes stay bytes, ndarrays become atdata's compact bytes) and JSON (bytes as
 * base64, ndarrays as `{ dtype, shape, data }`). Conversions out of plain values are lenient:
 * what they cannot convert is passed through for the schema to reject. Private.
 *
 * @module
 */
import type { Field, FieldKind } from "../../schema/field.ts";
import { isNDArray, NDArray } from "../../schema/nd_array.ts";
import { decodeNdarrayBytes, encodeNdarrayBytes } from "./ndarray_bytes.ts";
import { fromBase64, toBase64 } from "../../util/base64.ts";

/** One direction of a conversion, given the field and a recursion for inner fields. */
type Convert = (value: unknown, field: Field, rec: (v: unknown, f: Field) => unknown) => unknown;

interface Conversions {
  to: Partial<Record<FieldKind, Convert>>;
  from: Partial<Record<FieldKind, Convert>>;
}

const same: Convert = (v) => v;

const shared: Conversions = {
  to: {
    list: (v, f, rec) => Array.isArray(v) ? v.map((x) => rec(x, f.item!)) : v,
    optional: (v, f, rec) => (v === null || v === undefined ? null : rec(v, f.inner!)),
    timestamp: (v) => (v instanceof Date ? v.toISOString() : v),
    float: (v) => (typeof v === "bigint" ? Number(v) : v),
  },
  from: {
    list: (v, f, rec) => Array.isArray(v) ? v.map((x) => rec(x, f.item!)) : v,
    optional: (v, f, rec) => (v === null || v === undefined ? null : rec(v, f.inner!)),
    timestamp: (v) => (typeof v === "string" ? parseTimestamp(v) : v),
    int: (v) => (typeof v === "bigint" && Number.isSafeInteger(Number(v)) ? Number(v) : v),
    float: (v) => (typeof v === "bigint" ? Number(v) : v),
  },
};

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The number in `s` at `at`..`at + n` (digits only), or -1. */
function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * `new Date(s)`, sooner for `toISOString`'s own form (`2025-01-01T00:00:00.000Z`) when every
 * part is in its plain range (year >= 100, a real day of the month, hour <= 23), where the ISO
 * parser and `Date.UTC` agree by definition; anything else goes to `new Date`.
 */
export function parseTimestamp(s: string): Date {
  if (
    s.length === 24 && s.charCodeAt(4) === 0x2d && s.charCodeAt(7) === 0x2d &&
    s.charCodeAt(10) === 0x54 && s.charCodeAt(13) === 0x3a && s.charCodeAt(16) === 0x3a &&
    s.charCodeAt(19) === 0x2e && s.charCodeAt(23) === 0x5a // - - T : : . Z
  ) {
    const y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2);
    const h = digits(s, 11, 2), mi = digits(s, 14, 2), sec = digits(s, 17, 2);
    const ms = digits(s, 20, 3);
    const leap = mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 1 : 0;
    if (
      y >= 100 && mo >= 1 && mo <= 12 && d >= 1 && d <= DAYS[mo - 1]! + leap && h >= 0 &&
      h <= 23 && mi >= 0 && mi <= 59 && sec >= 0 && sec <= 59 && ms >= 0
    ) {
      // Days from 1970-01-01 of the proleptic Gregorian date (H. Hinnant's days_from_civil).
      const yy = mo <= 2 ? y - 1 : y;
      const era = Math.floor(yy / 400);
      const yoe = yy - era * 400;
      const doy = Math.floor((153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5) + d - 1;
      const days = era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy -
        719468;
      return new Date(days * 864e5 + h * 36e5 + mi * 6e4 + sec * 1000 + ms);
    }
  }
  return new Date(s);
}

/**
 * msgpack: ints outside the 32-bit ranges go out as bigint so the encoder writes int64/uint64
 * (as Python's msgpack does) instead of a float.
 */
const msgpack: Conversions = {
  to: {
    ...shared.to,
    int: (v) => {
      const n = typeof v === "bigint" ? Number(v) : v;
      if (typeof n !== "number") return v;
      if (n < 2 ** 32 && n >= -(2 ** 31)) return n;
      return typeof v === "bigint" ? v : BigInt(n);
    },
    ndarray: (v) => (isNDArray(v) ? encodeNdarrayBytes(v) : v),
  },
  from: {
    ...shared.from,
    ndarray: (v) => (v instanceof Uint8Array ? decodeNdarrayBytes(v) : v),
  },
};

const NONFINITE: Record<string, number> = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity };

/** JSON: bigints beyond 2^53 and non-finite floats travel as strings. */
const json: Conversions = {
  to: {
    ...shared.to,
    int: (
      v,
    ) => (typeof v === "bigint" ? (Number.isSafeInteger(Number(v)) ? Number(v) : String(v)) : v),
    float: (v) =>
      typeof v === "bigint"
        ? Number(v)
        : typeof v === "number" && !Number.isFinite(v)
        ? String(v)
        : v,
    bytes: (v) => (v instanceof Uint8Array ? toBase64(v) : v),
    ndarray: (v) => (isNDArray(v) ? NDArray.prototype.toJSON.call(v) : v),
  },
  from: {
    ...shared.from,
    int: (v) => (typeof v === "string" && /^-?\d+$/.test(v) ? BigInt(v) : v),
    float: (v) => (typeof v === "string" && v in NONFINITE ? NONFINITE[v] : v),
    bytes: (v) => (typeof v === "string" ? fromBase64(v) : v),
    ndarray: (v) => {
      const o = v as { dtype?: unknown; shape?: unknown; data?: unknown };
      if (typeof o?.dtype !== "string" || !Array.isArray(o.shape) || !Array.isArray(o.data)) {
        return v;
      }
      const big = /[iu]8$/.test(o.dtype);
      const data = o.data.map((x) => (big ? BigInt(x as number | string) : Number(x)));
      return NDArray.from(data as number[], { dtype: o.dtype, shape: o.shape as number[] });
    },
  },
};

function converter(table: Partial<Record<FieldKind, Convert>>) {
  const rec = (value: unknown, field: Field): unknown =>
    (table[field.kind] ?? same)(value, field, rec);
  return rec;
}

/**
 * A sample value as the msgpack encoder should see it: the reference `_field_writers.ts`
 * compiles (tests and `bench/codecs.ts` encode it with `@msgpack/msgpack` to compare bytes).
 */
export const toMsgpack: (value: unknown, field: Field) => unknown = converter(msgpack.to);
/** A sample value from what the msgpack decoder gave. May throw `"unknown_dtype"`/`"decode_failed"`. */
export const fromMsgpack: (value: unknown, field: Field) => unknown = converter(msgpack.from);
/** A sample value as `JSON.stringify` should see it. */
export const toJson: (value: unknown, field: Field) => unknown = converter(json.to);
/** A sample value from what `JSON.parse` gave. */
export const fromJson: (value: unknown, field: Field) => unknown = converter(json.from);
