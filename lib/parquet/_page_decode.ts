/**
 * Decoding one data page of the Parquet files `parquet_writer.ts` writes: the page header
 * (Thrift compact protocol), 1-bit definition levels (RLE / bit-packing hybrid) and
 * DELTA_BINARY_PACKED integers, for the typed-array readers of `parquet_reader.ts` (private).
 *
 * @module
 */

/** A v1 data page: its value count, encoding, and where its (stored) body lies. */
export interface DataPage {
  values: number;
  encoding: number;
  /** Offset of the body in the bytes the header was read from. */
  start: number;
  /** Stored (compressed) size of the body. */
  size: number;
}

/** The v1 data page whose header starts at `pos` of `bytes`; undefined for any other page. */
export function dataPage(bytes: Uint8Array, pos: number): DataPage | undefined {
  const t = new Thrift(bytes.subarray(pos));
  const page = t.struct();
  const header = page.get(5) as Fields | undefined;
  if (Number(page.get(1)) !== 0 || !header) return undefined;
  return {
    values: Number(header.get(1)),
    encoding: Number(header.get(2)),
    start: pos + t.pos,
    size: Number(page.get(3)),
  };
}

/**
 * The definition levels of a page body (a 4-byte length, then the levels) at `pos`: `present`
 * per value (absent when every value is defined: no array is made then), how many are defined,
 * and where the values begin.
 */
export function definitionLevels(
  body: Uint8Array,
  pos: number,
  values: number,
): { present?: Uint8Array; defined: number; end: number } {
  const length = new DataView(body.buffer, body.byteOffset + pos, 4).getUint32(0, true);
  const from = pos + 4, end = from + length;
  if (levelsAllSet(body, from, end, values)) return { defined: values, end };
  const present = new Uint8Array(values);
  return { present, defined: hybrid(body, from, end, present), end };
}

/**
 * DELTA_BINARY_PACKED integers at `pos` of `bytes` into `out` (its length); returns the offset
 * in `bytes` after them, or -1 (see `deltaBinaryPacked`).
 */
export function unpackDeltas(bytes: Uint8Array, pos: number, out: Float64Array): number {
  // A copy with 8 bytes of slack: the unpacker reads whole words past a value's last bit.
  const padded = new Uint8Array(bytes.length - pos + 8);
  padded.set(bytes.subarray(pos));
  const end = deltaBinaryPacked(padded, 0, out);
  return end < 0 ? -1 : pos + end;
}

/** True when 1-bit definition levels are a single RLE run of `values` 1s. */
function levelsAllSet(bytes: Uint8Array, pos: number, end: number, values: number): boolean {
  let header = 0, shift = 0, b: number;
  do {
    if (pos >= end) return false;
    b = bytes[pos++]!;
    header += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return header % 2 === 0 && header / 2 === values && pos < end && (bytes[pos]! & 1) === 1;
}

/** Decodes 1-bit definition levels into `out`; returns how many are 1. */
function hybrid(bytes: Uint8Array, pos: number, end: number, out: Uint8Array): number {
  let i = 0, ones = 0;
  while (pos < end && i < out.length) {
    let header = 0, shift = 0, b: number;
    do {
      b = bytes[pos++]!;
      header += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    if (header & 1) {
      const count = (header >>> 1) * 8;
      for (let k = 0; k < count && i < out.length; k++) {
        const bit = (bytes[pos + (k >> 3)]! >> (k & 7)) & 1;
        out[i++] = bit;
        ones += bit;
      }
      pos += header >>> 1;
    } else {
      const run = Math.floor(header / 2), v = bytes[pos++]! & 1;
      out.fill(v, i, Math.min(out.length, i + run));
      if (v) ones += Math.min(out.length, i + run) - i;
      i += run;
    }
  }
  return ones;
}

/**
 * DELTA_BINARY_PACKED values into `out` (its length); returns the position after them, or -1
 * past 2^53, 52-bit deltas or more values than `out` holds. `bytes` must hold 8 readable bytes
 * past the encoded values (whole words are read).
 */
function deltaBinaryPacked(bytes: Uint8Array, pos: number, out: Float64Array): number {
  const varint = () => {
    let n = 0, shift = 0, b: number;
    do {
      b = bytes[pos++]!;
      n += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return n;
  };
  const zigzag = () => {
    const n = varint();
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  };
  const blockSize = varint(), miniblocks = varint();
  const count = varint();
  const total = Math.min(count, out.length);
  let value = zigzag();
  const per = blockSize / miniblocks;
  if (total === 0) return pos;
  out[0] = value;
  let i = 1;
  while (i < total) {
    const min = zigzag();
    const widths = pos;
    pos += miniblocks;
    for (let m = 0; m < miniblocks && i < total; m++) {
      const width = bytes[widths + m]!;
      if (width > 52) return -1;
      const end = Math.min(total, i + per);
      let bit = pos * 8;
      if (width === 0) {
        for (; i < end; i++) out[i] = value += min;
      } else if (width <= 25) {
        // A value and its bit offset fit in one little-endian 32-bit word.
        const mask = (1 << width) - 1;
        for (; i < end; i++, bit += width) {
          const b = bit >>> 3;
          const word = bytes[b]! | (bytes[b + 1]! << 8) | (bytes[b + 2]! << 16) |
            (bytes[b + 3]! << 24);
          out[i] = value += min + ((word >>> (bit & 7)) & mask);
        }
      } else {
        // Two words: the low one shifted down, the rest from the high one.
        for (; i < end; i++, bit += width) {
          const b = bit >>> 3, s = bit & 7;
          const lo = (bytes[b]! | (bytes[b + 1]! << 8) | (bytes[b + 2]! << 16) |
            (bytes[b + 3]! << 24)) >>> 0;
          const hi = (bytes[b + 4]! | (bytes[b + 5]! << 8) | (bytes[b + 6]! << 16) |
            (bytes[b + 7]! << 24)) >>> 0;
          const highBits = width - 32 + s;
          const d = highBits <= 0
            ? (lo >>> s) % 2 ** width
            : (lo >>> s) + (hi % 2 ** highBits) * 2 ** (32 - s);
          out[i] = value += min + d;
        }
      }
      pos += per * width / 8;
    }
  }
  if (count > total) return -1;
  return Number.isSafeInteger(value) ? pos : -1;
}

export type Value = number | bigint | Uint8Array | Value[] | Fields | boolean;
export type Fields = Map<number, Value>;

/** A reader of Thrift's compact protocol (what Parquet's footer and page headers are written in). */
export class Thrift {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}
  varint(): number {
    let n = 0, shift = 0, b: number;
    do {
      b = this.bytes[this.pos++]!;
      n += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return n;
  }
  zigzag(): number {
    const n = this.varint();
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }
  value(type: number): Value {
    switch (type) {
      case 1:
        return true;
      case 2:
        return false;
      case 3:
        return this.bytes[this.pos++]!;
      case 4:
      case 5:
      case 6:
        return this.zigzag();
      case 7:
        this.pos += 8;
        return 0;
      case 8: {
        const n = this.varint();
        const out = this.bytes.subarray(this.pos, this.pos + n);
        this.pos += n;
        return out;
      }
      case 9:
      case 10: {
        const head = this.bytes[this.pos++]!;
        const size = head >> 4 === 15 ? this.varint() : head >> 4;
        const elem = head & 15;
        const out: Value[] = [];
        for (let i = 0; i < size; i++) {
          out.push(elem === 1 || elem === 2 ? this.bytes[this.pos++] === 1 : this.value(elem));
        }
        return out;
      }
      case 12:
        return this.struct();
      default:
        throw new TypeError(`Thrift type ${type} not supported`);
    }
  }
  struct(): Fields {
    const out: Fields = new Map();
    let id = 0;
    for (;;) {
      const b = this.bytes[this.pos++]!;
      if (b === 0) return out;
      const delta = b >> 4;
      id = delta ? id + delta : this.zigzag();
      out.set(id, this.value(b & 15));
    }
  }
}
