/**
 * A msgpack sample-map reader for the common case: reads a map's values straight into an array
 * by field, matching keys against the fields' encoded names, and yields the values
 * `@msgpack/msgpack`'s `Decoder` (`useBigInt64`) yields: bins as views of the input, 64-bit ints
 * as bigints, strings decoded as the library decodes them. On anything else (ext types, keys
 * that are not strings, `"__proto__"`, truncated or trailing bytes, deep nesting) it gives
 * {@linkcode UNUSUAL} and the caller decodes with the library, so results and errors stay the
 * library's. `bench/codecs.ts` measures the gain. Private.
 *
 * @module
 */

/** Returned for input the reader leaves to the library. */
export const UNUSUAL: unique symbol = Symbol("UNUSUAL");

class Unusual extends Error {}
const unusual = new Unusual();

const scratch = new DataView(new ArrayBuffer(8));
const textDecoder = new TextDecoder();

let b: Uint8Array = new Uint8Array(0);
let pos = 0;

function need(n: number): void {
  if (pos + n > b.length) throw unusual;
}

function load(n: number): DataView {
  need(n);
  for (let i = 0; i < n; i++) scratch.setUint8(i, b[pos + i]!);
  pos += n;
  return scratch;
}

function u8(): number {
  need(1);
  return b[pos++]!;
}

function u16(): number {
  need(2);
  const v = (b[pos]! << 8) | b[pos + 1]!;
  pos += 2;
  return v;
}

function u32(): number {
  need(4);
  const v = b[pos]! * 0x1000000 + ((b[pos + 1]! << 16) | (b[pos + 2]! << 8) | b[pos + 3]!);
  pos += 4;
  return v;
}

/** Recently read short ASCII strings by hash of their bytes (labels and tags repeat). */
const CACHE_SLOTS = 1024;
const cache: string[] = new Array(CACHE_SLOTS).fill("");

/** `utf8DecodeJs` of the library (its decoding of strings up to 200 bytes), ASCII first. */
function shortStr(start: number, n: number): string {
  if (n > 16) return build(start, n);
  let h = n;
  for (let i = start; i < start + n; i++) {
    const c = b[i]!;
    if (c >= 0x80) return utf8(start, n);
    h = Math.imul(h ^ c, 0x01000193);
  }
  const slot = (h >>> 0) & (CACHE_SLOTS - 1);
  const hit = cache[slot]!;
  if (hit.length === n) {
    let i = 0;
    while (i < n && hit.charCodeAt(i) === b[start + i]) i++;
    if (i === n) return hit;
  }
  return cache[slot] = build(start, n);
}

function build(start: number, n: number): string {
  const units: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const c = b[start + i]!;
    if (c >= 0x80) return utf8(start, n);
    units[i] = c;
  }
  return String.fromCharCode.apply(null, units);
}

function utf8(start: number, n: number): string {
  const end = start + n;
  const units: number[] = [];
  let o = start;
  while (o < end) {
    const b1 = b[o++]!;
    if ((b1 & 0x80) === 0) units.push(b1);
    else if ((b1 & 0xe0) === 0xc0) units.push(((b1 & 0x1f) << 6) | (b[o++]! & 0x3f));
    else if ((b1 & 0xf0) === 0xe0) {
      const b2 = b[o++]! & 0x3f, b3 = b[o++]! & 0x3f;
      units.push(((b1 & 0x1f) << 12) | (b2 << 6) | b3);
    } else if ((b1 & 0xf8) === 0xf0) {
      const b2 = b[o++]! & 0x3f, b3 = b[o++]! & 0x3f, b4 = b[o++]! & 0x3f;
      let unit = ((b1 & 0x07) << 0x12) | (b2 << 0x0c) | (b3 << 0x06) | b4;
      if (unit > 0xffff) {
        unit -= 0x10000;
        units.push(((unit >>> 10) & 0x3ff) | 0xd800);
        unit = 0xdc00 | (unit & 0x3ff);
      }
      units.push(unit);
    } else units.push(b1);
  }
  return String.fromCharCode.apply(null, units);
}

function str(n: number): string {
  need(n);
  const start = pos;
  pos += n;
  return n > 200 ? textDecoder.decode(b.subarray(start, start + n)) : shortStr(start, n);
}

function bin(n: number): Uint8Array {
  need(n);
  pos += n;
  return b.subarray(pos - n, pos);
}

function array(n: number, depth: number): unknown[] {
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = value(depth);
  return out;
}

function key(): string {
  const h = u8();
  const n = h >= 0xa0 && h <= 0xbf ? h - 0xa0 : h === 0xd9 ? u8() : h === 0xda ? u16() : -1;
  if (n < 0) throw unusual; // number keys, str32 keys and non-keys: the library decides
  const k = str(n);
  if (k === "__proto__") throw unusual;
  return k;
}

function map(n: number, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const k = key();
    out[k] = value(depth);
  }
  return out;
}

function value(depth: number): unknown {
  if (depth > 64) throw unusual;
  const h = u8();
  if (h < 0x80) return h;
  if (h >= 0xe0) return h - 0x100;
  if (h >= 0xa0 && h <= 0xbf) return str(h - 0xa0);
  if (h >= 0x90 && h <= 0x9f) return array(h - 0x90, depth + 1);
  if (h <= 0x8f) return map(h - 0x80, depth + 1);
  switch (h) {
    case 0xc0:
      return null;
    case 0xc2:
      return false;
    case 0xc3:
      return true;
    case 0xca:
      return load(4).getFloat32(0);
    case 0xcb:
      return load(8).getFloat64(0);
    case 0xcc:
      return u8();
    case 0xcd:
      return u16();
    case 0xce:
      return u32();
    case 0xcf:
      return load(8).getBigUint64(0);
    case 0xd0:
      return (u8() << 24) >> 24;
    case 0xd1:
      return (u16() << 16) >> 16;
    case 0xd2:
      return u32() | 0;
    case 0xd3:
      return load(8).getBigInt64(0);
    case 0xd9:
      return str(u8());
    case 0xda:
      return str(u16());
    case 0xdb:
      return str(u32());
    case 0xc4:
      return bin(u8());
    case 0xc5:
      return bin(u16());
    case 0xc6:
      return bin(u32());
    case 0xdc:
      return array(u16(), depth + 1);
    case 0xdd:
      return array(u32(), depth + 1);
    case 0xde:
      return map(u16(), depth + 1);
    case 0xdf:
      return map(u32(), depth + 1);
  }
  throw unusual; // 0xc1 (never used) and the ext types
}

/** Field names of a schema and their encoded msgpack keys, for {@linkcode readSampleMap}. */
export interface KeyTable {
  /** Field names, in declaration order. */
  names: string[];
  /** Each name as a msgpack str (header included). */
  keys: Uint8Array[];
  /** Field index by name. */
  index: Map<string, number>;
}

function keyAt(k: Uint8Array, at: number): boolean {
  if (at + k.length > b.length) return false;
  for (let i = 0; i < k.length; i++) if (b[at + i] !== k[i]) return false;
  return true;
}

/**
 * Reads a msgpack map of field values: `out[i]` gets field `i`'s raw value (left as is for a
 * field the map lacks; later duplicate keys win, other keys are read and dropped). Gives
 * {@linkcode UNUSUAL} when `bytes` is not a single map of the usual forms.
 */
export function readSampleMap(
  bytes: Uint8Array,
  table: KeyTable,
  out: unknown[],
): typeof UNUSUAL | undefined {
  b = bytes;
  pos = 0;
  try {
    const h = u8();
    const n = h >= 0x80 && h <= 0x8f ? h - 0x80 : h === 0xde ? u16() : h === 0xdf ? u32() : -1;
    if (n < 0) return UNUSUAL;
    const { keys, index } = table;
    let next = 0; // keys usually come in declaration order
    for (let i = 0; i < n; i++) {
      let f = -1;
      const k = keys[next];
      if (k !== undefined && keyAt(k, pos)) {
        f = next;
        pos += k.length;
      } else {
        const name = key();
        f = index.get(name) ?? -1;
      }
      const v = value(1);
      if (f >= 0) {
        out[f] = v;
        next = f + 1;
      }
    }
    return pos === b.length ? undefined : UNUSUAL;
  } catch {
    return UNUSUAL; // our own signal, a stack overflow, or anything else: the library decides
  } finally {
    b = EMPTY;
  }
}

const EMPTY = new Uint8Array(0);
