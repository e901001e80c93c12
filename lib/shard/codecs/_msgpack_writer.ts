/**
 * A schema-compiled msgpack writer: each field gets a writer function built once from its kind,
 * writing straight into a shared slab, and each sample comes back as a view of its slab: no
 * `ArrayBuffer` per sample (allocating one cost more than encoding a small sample), instead of
 * an `Encoder.encode` copy per field plus a concatenation. It writes the bytes
 * `@msgpack/msgpack`'s `Encoder` (`useBigInt64`, `forceIntegerToFloat` inside float fields)
 * writes for the plain values of `toMsgpack` in `_values.ts`; a value of an unexpected type is
 * handed to that encoder as before. `bench/codecs.ts` measures the gain. Private.
 *
 * @module
 */
import { Encoder } from "@msgpack/msgpack";
import type { Field } from "../../schema/field.ts";
import { isNDArray, NDArray } from "../../schema/nd_array.ts";
import { encodeNdarrayBytes } from "./ndarray_bytes.ts";

const intEncoder = new Encoder({ useBigInt64: true });
const floatEncoder = new Encoder({ useBigInt64: true, forceIntegerToFloat: true });
const textEncoder = new TextEncoder();
const SLAB_SIZE = 1 << 16;

/**
 * A msgpack output buffer that hands out what it wrote as views of one slab until the slab is
 * full, then starts another (earlier views keep theirs alive).
 */
export class MsgpackWriter {
  /** The current slab; the output being written runs from `start` to `pos`. */
  bytes: Uint8Array;
  /** A view of {@linkcode MsgpackWriter.bytes}. */
  view: DataView;
  /** Start of the output being written. */
  start = 0;
  /** Write position. */
  pos = 0;
  #slabSize: number;

  /** A writer with slabs of `slabSize` bytes. */
  constructor(slabSize = SLAB_SIZE) {
    this.#slabSize = slabSize;
    this.bytes = new Uint8Array(slabSize);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Makes room for `n` more bytes, moving the output begun so far to a new slab if needed. */
  reserve(n: number): void {
    if (this.pos + n <= this.bytes.length) return;
    const begun = this.pos - this.start;
    const need = begun + n;
    const bytes = new Uint8Array(need + Math.max(this.#slabSize, need >> 1));
    bytes.set(this.bytes.subarray(this.start, this.pos));
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer);
    this.start = 0;
    this.pos = begun;
  }

  /** The bytes written since the last take (a view of the slab). */
  take(): Uint8Array {
    const out = this.bytes.subarray(this.start, this.pos);
    this.start = this.pos;
    return out;
  }

  /** Drops the bytes written since the last take. */
  discard(): void {
    this.pos = this.start;
  }

  /** Appends raw bytes. */
  raw(b: Uint8Array): void {
    const n = b.length;
    this.reserve(n);
    if (n > 16) this.bytes.set(b, this.pos);
    else for (let i = 0, d = this.bytes, p = this.pos; i < n; i++) d[p + i] = b[i]!;
    this.pos += n;
  }

  /** `nil`. */
  nil(): void {
    this.reserve(1);
    this.bytes[this.pos++] = 0xc0;
  }

  /** `true`/`false`. */
  bool(v: boolean): void {
    this.reserve(1);
    this.bytes[this.pos++] = v ? 0xc3 : 0xc2;
  }

  /** float64, always (as `forceIntegerToFloat` does). */
  f64(v: number): void {
    this.reserve(9);
    this.bytes[this.pos] = 0xcb;
    this.view.setFloat64(this.pos + 1, v);
    this.pos += 9;
  }

  /** A number as `Encoder.encodeNumber` with `useBigInt64`: smallest int, else float64. */
  number(v: number): void {
    if (!Number.isSafeInteger(v) || v >= 0x100000000 || v < -0x80000000) return this.f64(v);
    this.reserve(5);
    const b = this.bytes, p = this.pos;
    if (v >= 0) {
      if (v < 0x80) {
        b[p] = v;
        this.pos += 1;
      } else if (v < 0x100) {
        b[p] = 0xcc;
        b[p + 1] = v;
        this.pos += 2;
      } else if (v < 0x10000) {
        b[p] = 0xcd;
        this.view.setUint16(p + 1, v);
        this.pos += 3;
      } else {
        b[p] = 0xce;
        this.view.setUint32(p + 1, v);
        this.pos += 5;
      }
    } else if (v >= -0x20) {
      b[p] = 0xe0 | (v + 0x20);
      this.pos += 1;
    } else if (v >= -0x80) {
      b[p] = 0xd0;
      this.view.setInt8(p + 1, v);
      this.pos += 2;
    } else if (v >= -0x8000) {
      b[p] = 0xd1;
      this.view.setInt16(p + 1, v);
      this.pos += 3;
    } else {
      b[p] = 0xd2;
      this.view.setInt32(p + 1, v);
      this.pos += 5;
    }
  }

  /** A bigint as uint64 (`>= 0`) or int64, as `Encoder.encodeBigInt64`. */
  bigint(v: bigint): void {
    this.reserve(9);
    if (v >= 0n) {
      this.bytes[this.pos] = 0xcf;
      this.view.setBigUint64(this.pos + 1, v);
    } else {
      this.bytes[this.pos] = 0xd3;
      this.view.setBigInt64(this.pos + 1, v);
    }
    this.pos += 9;
  }

  /** A str or array header: fix form below `fixMax`, else 8 (str only), 16 or 32 bits. */
  private header(n: number, fix: number, fixMax: number, t8: number, t16: number): void {
    this.reserve(5);
    const b = this.bytes, p = this.pos;
    if (n < fixMax) {
      b[p] = fix + n;
      this.pos += 1;
    } else if (t8 && n < 0x100) {
      b[p] = t8;
      b[p + 1] = n;
      this.pos += 2;
    } else if (n < 0x10000) {
      b[p] = t16;
      this.view.setUint16(p + 1, n);
      this.pos += 3;
    } else {
      b[p] = t16 + 1;
      this.view.setUint32(p + 1, n);
      this.pos += 5;
    }
  }

  /** An array header. */
  arrayHeader(n: number): void {
    if (n >= 0x100000000) throw new Error(`Too large array: ${n}`);
    this.header(n, 0x90, 16, 0, 0xdc);
  }

  /** A map header. */
  mapHeader(n: number): void {
    this.header(n, 0x80, 16, 0, 0xde);
  }

  /** A bin header plus the bytes. */
  bin(v: Uint8Array): void {
    const n = v.byteLength;
    if (n >= 0x100000000) throw new Error(`Too large binary: ${n}`);
    this.reserve(5 + n);
    const b = this.bytes, p = this.pos;
    if (n < 0x100) {
      b[p] = 0xc4;
      b[p + 1] = n;
      this.pos += 2;
    } else if (n < 0x10000) {
      b[p] = 0xc5;
      this.view.setUint16(p + 1, n);
      this.pos += 3;
    } else {
      b[p] = 0xc6;
      this.view.setUint32(p + 1, n);
      this.pos += 5;
    }
    this.bytes.set(v, this.pos);
    this.pos += n;
  }

  /**
   * A UTF-8 str, byte for byte as the library writes it: up to 50 UTF-16 units its own loop
   * (which writes a lone surrogate as 3 bytes of it), longer strings through `TextEncoder`.
   */
  str(s: string): void {
    const len = s.length;
    if (len > 50) return this.longStr(s);
    let n = 0;
    for (let i = 0; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) n++;
      else if (c < 0x800) n += 2;
      else if (
        c >= 0xd800 && c <= 0xdbff && i + 1 < len && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00
      ) {
        n += 4;
        i++;
      } else n += 3;
    }
    this.header(n, 0xa0, 32, 0xd9, 0xda);
    this.reserve(n);
    const b = this.bytes;
    let p = this.pos;
    if (n === len) {
      for (let i = 0; i < len; i++) b[p++] = s.charCodeAt(i);
    } else {
      for (let i = 0; i < len; i++) {
        let c = s.charCodeAt(i);
        if (c < 0x80) {
          b[p++] = c;
          continue;
        }
        if (c < 0x800) {
          b[p++] = ((c >> 6) & 0x1f) | 0xc0;
        } else {
          if (c >= 0xd800 && c <= 0xdbff && i + 1 < len) {
            const d = s.charCodeAt(i + 1);
            if ((d & 0xfc00) === 0xdc00) {
              i++;
              c = ((c & 0x3ff) << 10) + (d & 0x3ff) + 0x10000;
            }
          }
          if (c < 0x10000) {
            b[p++] = ((c >> 12) & 0x0f) | 0xe0;
            b[p++] = ((c >> 6) & 0x3f) | 0x80;
          } else {
            b[p++] = ((c >> 18) & 0x07) | 0xf0;
            b[p++] = ((c >> 12) & 0x3f) | 0x80;
            b[p++] = ((c >> 6) & 0x3f) | 0x80;
          }
        }
        b[p++] = (c & 0x3f) | 0x80;
      }
    }
    this.pos = p;
  }

  /** A str of more than 50 units: encoded after the widest header it can need, then moved. */
  private longStr(s: string): void {
    const max = s.length * 3;
    const guess = max < 0x100 ? 2 : max < 0x10000 ? 3 : 5;
    this.reserve(5 + max);
    const start = this.pos;
    const { written } = textEncoder.encodeInto(s, this.bytes.subarray(start + guess));
    if (written >= 0x100000000) throw new Error(`Too long string: ${written} bytes in UTF-8`);
    this.header(written, 0xa0, 32, 0xd9, 0xda);
    const head = this.pos - start;
    if (head !== guess) {
      this.bytes.copyWithin(start + head, start + guess, start + guess + written);
    }
    this.pos += written;
  }

  /** Any value through the library's encoder (`float`: with `forceIntegerToFloat`). */
  generic(v: unknown, float: boolean): void {
    this.raw((float ? floatEncoder : intEncoder).encodeSharedRef(v));
  }
}

/** Writes one field value. */
export type FieldWriter = (w: MsgpackWriter, value: unknown) => void;

function hasFloat(field: Field): boolean {
  if (field.kind === "float") return true;
  const inner = field.item ?? field.inner;
  return inner !== undefined && hasFloat(inner);
}

/** The writer of an int: 32-bit range as numbers, beyond as int64/uint64 (Python's msgpack). */
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
    if (!(v instanceof NDArray)) return w.bin(encodeNdarrayBytes(v));
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
      return (w, v) => (v instanceof Date ? w.str(v.toISOString()) : w.generic(v, float));
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
