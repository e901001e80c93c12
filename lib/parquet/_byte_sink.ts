/**
 * A growing byte buffer with Parquet's PLAIN encodings (int64, double, boolean, byte arrays):
 * what the Parquet writer's pages and footers are written into. The other encodings are in
 * `_encodings.ts`. Tight loops over typed arrays: no per-value allocation.
 *
 * @module
 */

const encoder = new TextEncoder();
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Chars whose UTF-16 order differs from their UTF-8 byte order (surrogates vs U+E000..). */
export const UNORDERED = /[\uD800-\uFFFF]/;

/** A growing byte buffer, with the PLAIN encodings. */
export class ByteSink {
  buf: Uint8Array;
  view: DataView;
  pos = 0;
  /** Set when a string written so far sorts differently in UTF-16 and in UTF-8. */
  unordered = false;

  constructor(capacity = 1 << 16) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }

  /** The bytes written so far (a view, valid until the next write). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** One byte. */
  u8(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** A little-endian uint32. */
  u32(n: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, n, true);
    this.pos += 4;
  }

  /** Unsigned varint of a non-negative safe integer. */
  varint(n: number): void {
    this.ensure(10);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.pos++] = n;
  }

  /** Raw bytes. */
  bytesOf(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** PLAIN doubles of the rows in `[start, end)` that are not null. */
  doubles(values: Float64Array, start: number, end: number, nulls?: Uint8Array): void {
    this.ensure((end - start) * 8);
    if (!nulls && LITTLE_ENDIAN) {
      this.buf.set(
        new Uint8Array(values.buffer, values.byteOffset + start * 8, (end - start) * 8),
        this.pos,
      );
      this.pos += (end - start) * 8;
      return;
    }
    const view = this.view;
    let p = this.pos;
    for (let i = start; i < end; i++) {
      if (nulls && nulls[i]) continue;
      view.setFloat64(p, values[i]!, true);
      p += 8;
    }
    this.pos = p;
  }

  /**
   * PLAIN int64 of the rows in `[start, end)` that are not null: `values` holds integers (exact
   * up to 2^63 in magnitude), `big` the rows whose exact value is a bigint.
   */
  int64s(
    values: Float64Array,
    start: number,
    end: number,
    nulls?: Uint8Array,
    big?: ReadonlyMap<number, bigint>,
  ): void {
    this.ensure((end - start) * 8);
    const view = this.view;
    let p = this.pos;
    for (let i = start; i < end; i++) {
      if (nulls && nulls[i]) continue;
      const b = big?.get(i);
      if (b !== undefined) view.setBigInt64(p, b, true);
      else {
        const x = values[i]!;
        view.setUint32(p, x >>> 0, true);
        view.setInt32(p + 4, Math.floor(x / 4294967296), true);
      }
      p += 8;
    }
    this.pos = p;
  }

  /** PLAIN booleans (bit-packed, least significant bit first) of the non-null rows. */
  booleans(values: Uint8Array, start: number, end: number, nulls?: Uint8Array): void {
    this.ensure(((end - start) >> 3) + 1);
    const buf = this.buf;
    let p = this.pos;
    let acc = 0;
    let bit = 0;
    for (let i = start; i < end; i++) {
      if (nulls && nulls[i]) continue;
      if (values[i]) acc |= 1 << bit;
      if (++bit === 8) {
        buf[p++] = acc;
        acc = 0;
        bit = 0;
      }
    }
    if (bit) buf[p++] = acc;
    this.pos = p;
  }

  /** One PLAIN byte array: length (uint32) and the string's UTF-8 bytes. */
  string(s: string): void {
    const n = s.length;
    this.ensure(4 + n * 3);
    const buf = this.buf;
    const at = this.pos;
    let p = at + 4;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        p = at + 4 + encoder.encodeInto(s, buf.subarray(at + 4)).written;
        if (UNORDERED.test(s)) this.unordered = true;
        break;
      }
      buf[p++] = c;
    }
    this.view.setUint32(at, p - at - 4, true);
    this.pos = p;
  }
}
