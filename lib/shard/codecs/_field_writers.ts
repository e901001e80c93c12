/**
 * {@linkcode fieldWriter}: a msgpack writer function per schema field, built once from the
 * field's kind. Together they write the bytes `@msgpack/msgpack`'s `Encoder` wrote for the
 * plain values of `toMsgpack` in `_values.ts` (`useBigInt64`; `forceIntegerToFloat` inside
 * float fields); a value of an unexpected type is handed to that encoder as before. Private.
 *
 * @module
 */
import type { Field } from "../../schema/field.ts";
import { isNDArray, NDArray } from "../../schema/nd_array.ts";
import { encodeNdarrayBytes } from "./ndarray_bytes.ts";
import type { MsgpackWriter } from "./_msgpack_writer.ts";

/** 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: the 4-digit-year ISO range. */
const MIN_ISO = -62167219200000;
const MAX_ISO = 253402300799999;

/** Writes `v` as `n` ASCII digits at `at`. */
function digits(b: Uint8Array, at: number, v: number, n: number): void {
  for (let i = at + n - 1; i >= at; i--) {
    b[i] = 0x30 + (v % 10);
    v = Math.floor(v / 10);
  }
}

/**
 * Writes a date as the str `toISOString()` gives (`2025-01-01T00:00:00.000Z`), digit by digit
 * for years 0000-9999 (other years and invalid dates go through `toISOString()`, which also
 * throws for the latter).
 */
export function writeDate(w: MsgpackWriter, d: Date): void {
  const t = d.getTime();
  if (!(t >= MIN_ISO && t <= MAX_ISO)) return w.str(d.toISOString());
  // Days since 1970-01-01 to the proleptic Gregorian date (H. Hinnant's civil_from_days).
  const days = Math.floor(t / 864e5);
  let ms = t - days * 864e5;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) -
      Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const h = Math.floor(ms / 36e5);
  ms -= h * 36e5;
  const mi = Math.floor(ms / 6e4);
  ms -= mi * 6e4;
  const sec = Math.floor(ms / 1000);
  ms -= sec * 1000;
  w.reserve(25);
  const b = w.bytes, p = w.pos;
  b[p] = 0xa0 + 24;
  digits(b, p + 1, year, 4);
  b[p + 5] = 0x2d; // -
  digits(b, p + 6, month, 2);
  b[p + 8] = 0x2d;
  digits(b, p + 9, day, 2);
  b[p + 11] = 0x54; // T
  digits(b, p + 12, h, 2);
  b[p + 14] = 0x3a; // :
  digits(b, p + 15, mi, 2);
  b[p + 17] = 0x3a;
  digits(b, p + 18, sec, 2);
  b[p + 20] = 0x2e; // .
  digits(b, p + 21, ms, 3);
  b[p + 24] = 0x5a; // Z
  w.pos = p + 25;
}

/** Writes one field value. */
export type FieldWriter = (w: MsgpackWriter, value: unknown) => void;

function hasFloat(field: Field): boolean {
  if (field.kind === "float") return true;
  const inner = field.item ?? field.inner;
  return inner !== undefined && hasFloat(inner);
}

/**
 * The writer of an int: 32-bit range as numbers, beyond as int64/uint64 (Python's msgpack).
 * Throws `RangeError` for an int neither holds (validation rejects them first), where the
 * encoder would silently wrap it.
 */
function writeInt(w: MsgpackWriter, v: unknown): void {
  if (typeof v === "number") {
    if (v < 0x100000000 && v >= -0x80000000) w.number(v);
    else w.bigint(BigInt(v));
  } else if (typeof v === "bigint") {
    const n = Number(v);
    if (n < 0x100000000 && n >= -0x80000000) w.number(n);
    else w.bigint(v);
  } else w.generic(v, false);
}

function ndarrayWriter(float: boolean): FieldWriter {
  return (w, v) => {
    if (!isNDArray(v)) return w.generic(v, float);
    if (!(v instanceof NDArray)) return w.bin(encodeNdarrayBytes(v)); // another copy's NDArray
    // encodeNdarrayBytes, written in place: dtype_len | dtype | ndim | int64 LE dims | data.
    const { dtype, shape } = v;
    const data = v.bytes();
    const size = 2 + dtype.length + 8 * shape.length + data.length;
    if (size >= 0x100000000) throw new Error(`Too large binary: ${size}`);
    w.reserve(5 + size);
    const b = w.bytes;
    let p = w.pos;
    if (size < 0x100) {
      b[p++] = 0xc4;
      b[p++] = size;
    } else if (size < 0x10000) {
      b[p++] = 0xc5;
      w.view.setUint16(p, size);
      p += 2;
    } else {
      b[p++] = 0xc6;
      w.view.setUint32(p, size);
      p += 4;
    }
    b[p++] = dtype.length;
    for (let i = 0; i < dtype.length; i++) b[p++] = dtype.charCodeAt(i);
    b[p++] = shape.length;
    for (const d of shape) {
      w.view.setBigInt64(p, BigInt(d), true);
      p += 8;
    }
    b.set(data, p);
    w.pos = p + data.length;
  };
}

function compile(field: Field, float: boolean): FieldWriter {
  switch (field.kind) {
    case "str":
      return (w, v) => (typeof v === "string" ? w.str(v) : w.generic(v, float));
    case "int":
      return writeInt;
    case "float":
      return (w, v) =>
        typeof v === "number"
          ? w.f64(v)
          : typeof v === "bigint"
          ? w.f64(Number(v))
          : w.generic(v, float);
    case "bool":
      return (w, v) => (typeof v === "boolean" ? w.bool(v) : w.generic(v, float));
    case "bytes":
      return (w, v) => (v instanceof Uint8Array ? w.bin(v) : w.generic(v, float));
    case "timestamp":
      return (w, v) => (v instanceof Date ? writeDate(w, v) : w.generic(v, float));
    case "ndarray":
      return ndarrayWriter(float);
    case "optional": {
      const inner = compile(field.inner!, float);
      return (w, v) => (v === null || v === undefined ? w.nil() : inner(w, v));
    }
    case "list": {
      const item = compile(field.item!, float);
      return (w, v) => {
        if (!Array.isArray(v)) return w.generic(v, float);
        w.arrayHeader(v.length);
        for (const x of v) item(w, x);
      };
    }
    default:
      return (w, v) => w.generic(v, float);
  }
}

const writers = new WeakMap<Field, FieldWriter>();

/** The writer of a field: float fields (and lists/optionals of them) write numbers as float64. */
export function fieldWriter(field: Field): FieldWriter {
  let w = writers.get(field);
  if (!w) writers.set(field, w = compile(field, hasFloat(field)));
  return w;
}
