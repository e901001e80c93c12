/**
 * Parquet value encodings for the Parquet writer beyond PLAIN (see `_byte_sink.ts`):
 * DELTA_BINARY_PACKED (integers), DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY (strings) and the
 * RLE / bit-packing hybrid (levels and dictionary indices). Tight loops over typed arrays: no
 * per-value allocation.
 *
 * @module
 */
import { ByteSink, UNORDERED } from "./_byte_sink.ts";

const encoder = new TextEncoder();

/** A growing byte buffer with every encoding the Parquet writer uses. */
export class Sink extends ByteSink {
  /**
   * The RLE / bit-packing hybrid of `values[start..end)` at `width` bits each: runs of 8 or
   * more equal values as RLE runs, the rest bit-packed in groups of 8 (the last group padded).
   */
  hybrid(values: ArrayLike<number>, start: number, end: number, width: number): void {
    const byteWidth = (width + 7) >> 3;
    let i = start;
    while (i < end) {
      const v = values[i]!;
      let j = i + 1;
      while (j < end && values[j] === v) j++;
      if (j - i >= 8) {
        this.varint((j - i) * 2);
        this.ensure(byteWidth);
        for (let b = 0, x = v; b < byteWidth; b++, x = Math.floor(x / 256)) {
          this.buf[this.pos++] = x & 0xff;
        }
        i = j;
        continue;
      }
      // Bit-packed groups of 8 until a run of 8 equal values starts at a group boundary.
      let k = i;
      let groups = 0;
      while (k < end) {
        k += 8;
        groups++;
        if (k >= end) break;
        const u = values[k]!;
        let m = k + 1;
        while (m < end && m - k < 8 && values[m] === u) m++;
        if (m - k >= 8) break;
      }
      this.varint(groups * 2 + 1);
      this.bitPack(values, i, Math.min(k, end), groups * 8, width);
      i = Math.min(k, end);
    }
  }

  /**
   * DELTA_BINARY_PACKED of `values[0..count)` (integers whose deltas are safe integers): blocks of
   * 128 deltas in 4 miniblocks of 32, each bit-packed at its own width above the block's least
   * delta.
   */
  deltaBinaryPacked(values: ArrayLike<number>, count: number): void {
    this.varint(128);
    this.varint(4);
    this.varint(count);
    this.#zigzag(count ? values[0]! : 0);
    const deltas = DELTA_BLOCK;
    const maxes = DELTA_MAXES;
    for (let b = 1; b < count; b += 128) {
      const n = Math.min(128, count - b);
      // One pass: the deltas, their least, and each miniblock's greatest.
      let min = Infinity;
      maxes.fill(-Infinity);
      for (let i = 0; i < n; i++) {
        const d = values[b + i]! - values[b + i - 1]!;
        deltas[i] = d;
        if (d < min) min = d;
        if (d > maxes[i >> 5]!) maxes[i >> 5] = d;
      }
      this.#zigzag(min);
      this.ensure(4);
      for (let m = 0; m < 4; m++) {
        this.buf[this.pos++] = m * 32 < n ? bitWidth(maxes[m]! - min) : 0;
      }
      for (let m = 0; m * 32 < n; m++) {
        const width = bitWidth(maxes[m]! - min);
        this.bitPack(deltas, m * 32, Math.min(n, m * 32 + 32), 32, width, min);
      }
    }
  }

  #zigzag(n: number): void {
    this.varint(n >= 0 ? n * 2 : -n * 2 - 1);
  }

  /**
   * DELTA_LENGTH_BYTE_ARRAY of strings: their UTF-8 lengths (DELTA_BINARY_PACKED), then all
   * their bytes.
   */
  deltaLengthStrings(strings: readonly string[]): void {
    const joined = strings.join("");
    const lengths = new Float64Array(strings.length);
    // Encode first, after the room the lengths may take: UTF-8 as long as UTF-16 means ASCII.
    const room = 32 + strings.length * 2;
    this.ensure(room + joined.length * 3 + 512); // + 512: no reallocation while the lengths go in
    const written = encoder.encodeInto(joined, this.buf.subarray(this.pos + room)).written;
    if (written === joined.length) {
      for (let i = 0; i < strings.length; i++) lengths[i] = strings[i]!.length;
    } else {
      if (UNORDERED.test(joined)) this.unordered = true;
      for (let i = 0; i < strings.length; i++) lengths[i] = encoder.encode(strings[i]!).length;
    }
    const at = this.pos;
    this.deltaBinaryPacked(lengths, strings.length);
    if (this.pos <= at + room) {
      this.buf.copyWithin(this.pos, at + room, at + room + written);
      this.pos += written;
    } else {
      // The lengths took more room than set aside (long strings of mixed lengths).
      this.ensure(joined.length * 3);
      this.pos += encoder.encodeInto(joined, this.buf.subarray(this.pos)).written;
    }
  }

  /**
   * DELTA_BYTE_ARRAY of `count` byte strings laid back to back in `bytes` from `from`, with
   * their `lengths`: per string the bytes it shares with the previous one and the length of the
   * rest (both DELTA_BINARY_PACKED), then the rests. Returns the least and greatest strings, in
   * byte order (Parquet's), found along the way.
   */
  deltaByteArray(
    bytes: Uint8Array,
    from: number,
    lengths: ArrayLike<number>,
    count: number,
  ): { min: Uint8Array; max: Uint8Array } | undefined {
    const prefixes = new Int32Array(count);
    const rests = new Int32Array(count);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let minAt = from, minLen = lengths[0] ?? 0, maxAt = from, maxLen = minLen;
    let prevAt = from, prevLen = 0, at = from;
    for (let i = 0; i < count; i++) {
      const len = lengths[i]!;
      const limit = len < prevLen ? len : prevLen;
      let p = 0;
      while (p + 4 <= limit && view.getUint32(at + p) === view.getUint32(prevAt + p)) p += 4;
      while (p < limit && bytes[at + p] === bytes[prevAt + p]) p++;
      prefixes[i] = p;
      rests[i] = len - p;
      if (i > 0) {
        // While the strings ascend, each is the greatest: decided by the byte found above.
        const greater = p < limit ? bytes[at + p]! > bytes[prevAt + p]! : len > prevLen;
        if (
          (greater && prevAt === maxAt) || compareBytes(bytes, at, len, maxAt, maxLen) > 0
        ) {
          maxAt = at;
          maxLen = len;
        } else if (compareBytes(bytes, at, len, minAt, minLen) < 0) {
          minAt = at;
          minLen = len;
        }
      }
      prevAt = at;
      prevLen = len;
      at += len;
    }
    this.deltaBinaryPacked(prefixes, count);
    this.deltaBinaryPacked(rests, count);
    this.ensure(at - from);
    const buf = this.buf;
    let pos = this.pos;
    at = from;
    for (let i = 0; i < count; i++) {
      for (let k = at + prefixes[i]!, stop = at + lengths[i]!; k < stop; k++) {
        buf[pos++] = bytes[k]!;
      }
      at += lengths[i]!;
    }
    this.pos = pos;
    if (count === 0) return undefined;
    return { min: bytes.slice(minAt, minAt + minLen), max: bytes.slice(maxAt, maxAt + maxLen) };
  }

  /**
   * `count` values from `values[start..)` less `bias` (zeros past `end`), `width` bits each,
   * least significant bit first.
   */
  bitPack(
    values: ArrayLike<number>,
    start: number,
    end: number,
    count: number,
    width: number,
    bias = 0,
  ) {
    if (width === 0) return;
    this.ensure((count * width) >> 3);
    const buf = this.buf;
    let p = this.pos;
    if (width <= 24) {
      let acc = 0;
      let bits = 0;
      for (let i = 0; i < count; i++) {
        const x = start + i < end ? values[start + i]! - bias : 0;
        acc |= x << bits;
        bits += width;
        while (bits >= 8) {
          buf[p++] = acc & 0xff;
          acc >>>= 8;
          bits -= 8;
        }
      }
    } else {
      // Wide values (up to 53 bits) go in three pieces (16, up to 16, up to 21 bits): the
      // accumulator stays a 32-bit integer.
      const mid = width < 32 ? width - 16 : 16;
      const high = width - 32;
      let acc = 0;
      let bits = 0;
      for (let i = 0; i < count; i++) {
        const x = start + i < end ? values[start + i]! - bias : 0;
        const lo = x >>> 0;
        acc |= (lo & 0xffff) << bits;
        buf[p++] = acc & 0xff;
        buf[p++] = (acc >>> 8) & 0xff;
        acc >>>= 16;
        acc |= (lo >>> 16) << bits;
        bits += mid;
        while (bits >= 8) {
          buf[p++] = acc & 0xff;
          acc >>>= 8;
          bits -= 8;
        }
        if (high > 0) {
          acc |= ((x - lo) / 4294967296) << bits;
          bits += high;
          while (bits >= 8) {
            buf[p++] = acc & 0xff;
            acc >>>= 8;
            bits -= 8;
          }
        }
      }
    }
    this.pos = p;
  }
}

const DELTA_BLOCK = new Float64Array(128);
const DELTA_MAXES = new Float64Array(4);

/** Byte-wise order of `bytes[a..a+aLen)` and `bytes[b..b+bLen)`: negative, 0 or positive. */
function compareBytes(bytes: Uint8Array, a: number, aLen: number, b: number, bLen: number) {
  const n = aLen < bLen ? aLen : bLen;
  for (let i = 0; i < n; i++) {
    const d = bytes[a + i]! - bytes[b + i]!;
    if (d !== 0) return d;
  }
  return aLen - bLen;
}

/** Bits needed for values `0..max`. */
export function bitWidth(max: number): number {
  if (max < 4294967296) return 32 - Math.clz32(max);
  return 64 - Math.clz32(Math.floor(max / 4294967296));
}
