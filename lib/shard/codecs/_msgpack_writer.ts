/**
 * {@linkcode MsgpackWriter}: msgpack primitives written straight into a shared slab, each
 * output handed back as a view of its slab: no `ArrayBuffer` per sample (allocating one cost
 * more than encoding a small sample). Every primitive writes the bytes `@msgpack/msgpack`'s
 * `Encoder` (`useBigInt64`) writes; `_field_writers.ts` composes them per schema field.
 * Two implementations of one path stay (this writer, and `@msgpack/msgpack` as the reference in
 * `tests/_msgpack_reference.ts`): `bench/codecs.ts` measures this one against the library's encoder.
 *
 * @module
 */
import { Encoder } from "@msgpack/msgpack";

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

  /** Starts an output: replaces a slab that was detached (its buffer transferred away). */
  begin(): void {
    if (this.bytes.byteLength > 0) return;
    this.bytes = new Uint8Array(this.#slabSize);
    this.view = new DataView(this.bytes.buffer);
    this.start = this.pos = 0;
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

  /**
   * A bigint as uint64 (`>= 0`) or int64, as `Encoder.encodeBigInt64`, except that one neither
   * holds throws `RangeError` (the encoder wraps it).
   */
  bigint(v: bigint): void {
    if (v > 0xffffffffffffffffn || v < -0x8000000000000000n) {
      throw new RangeError(`Cannot write ${v} as msgpack: ints must lie in [-2^63, 2^64-1]`);
    }
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
