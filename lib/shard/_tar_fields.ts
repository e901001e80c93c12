/**
 * Low-level tar header field codecs shared by the reader and the writer (private).
 *
 * @module
 */

/** Block size of every tar header and data run. */
export const BLOCK = 512;

/** Largest size an 11-digit octal ustar field holds (8 GiB - 1). */
export const USTAR_MAX_SIZE = 0o77777777777;

const utf8Fatal = new TextDecoder("utf-8", { fatal: true });
const utf8Lossy = new TextDecoder("utf-8");

/** Bytes rounded up to a whole number of blocks. */
export function padded(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}

/**
 * Reads a numeric field: octal digits (leading spaces/NULs allowed, ended by NUL or space), or
 * GNU base-256 when the first byte has its high bit set. Returns -1 when malformed.
 */
export function readNumber(buf: Uint8Array, at: number, len: number): number {
  const first = buf[at]!;
  if (first & 0x80) {
    if (first === 0xff) return -1; // negative base-256: never valid for sizes here
    let value = first & 0x7f;
    for (let i = 1; i < len; i++) value = value * 256 + buf[at + i]!;
    return value <= Number.MAX_SAFE_INTEGER ? value : -1;
  }
  let i = at;
  const end = at + len;
  while (i < end && (buf[i] === 0x20 || buf[i] === 0)) i++;
  let value = 0;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c === 0 || c === 0x20) break;
    if (c < 0x30 || c > 0x37) return -1;
    value = value * 8 + (c - 0x30);
  }
  return value; // an empty field reads as 0, like Python's tarfile
}

const codes: number[][] = [];

/**
 * Bytes `[at, end)` (all < 0x80) as a string. For the short names of tar headers,
 * `String.fromCharCode.apply` over a reused plain array beats both per-character string
 * concatenation and a `TextDecoder` call (`bench/shards.ts` reads tar headers).
 */
export function asciiString(buf: Uint8Array, at: number, end: number): string {
  const len = end - at;
  if (len > 512) return utf8Lossy.decode(buf.subarray(at, end));
  const arr = codes[len] ??= new Array<number>(len).fill(0);
  for (let i = 0; i < len; i++) arr[i] = buf[at + i]!;
  return String.fromCharCode.apply(null, arr);
}

/**
 * Sum of the 512 header bytes at `buf[at]` with the checksum field (148..155) counted as
 * spaces. `words`, when given, is a `Uint32Array` over the same memory as `buf` and used when
 * the header is 4-byte aligned: two byte lanes per 16-bit half, summed a word at a time
 * (each lane stays below 2^16 over 128 words).
 */
export function headerChecksum(buf: Uint8Array, at: number, words?: Uint32Array): number {
  if (words !== undefined && ((buf.byteOffset + at) & 3) === 0) {
    const w0 = (buf.byteOffset - words.byteOffset + at) >>> 2;
    let lanes = 0;
    for (let i = w0, end = w0 + 37; i < end; i++) {
      const v = words[i]!;
      lanes += (v & 0x00ff00ff) + ((v >>> 8) & 0x00ff00ff);
    }
    for (let i = w0 + 39, end = w0 + 128; i < end; i++) {
      const v = words[i]!;
      lanes += (v & 0x00ff00ff) + ((v >>> 8) & 0x00ff00ff);
    }
    return 8 * 0x20 + (lanes & 0xffff) + (lanes >>> 16);
  }
  return headerChecksumBytes(buf, at);
}

/** Sum of the 512 header bytes with the checksum field (148..155) counted as spaces. */
function headerChecksumBytes(buf: Uint8Array, at: number): number {
  let sum = 8 * 0x20;
  for (let i = at, end = at + 148; i < end; i++) sum += buf[i]!;
  for (let i = at + 156, end = at + BLOCK; i < end; i++) sum += buf[i]!;
  return sum;
}

/** True when all 512 bytes are zero. */
export function isZeroBlock(buf: Uint8Array, at: number): boolean {
  for (let i = at, end = at + BLOCK; i < end; i++) if (buf[i] !== 0) return false;
  return true;
}

/** Result of decoding a NUL-terminated name field. */
export interface DecodedName {
  /** The name (lossy when `valid` is false). */
  text: string;
  /** False when the bytes were not valid UTF-8. */
  valid: boolean;
}

/** Decodes bytes `[at, at + len)` up to the first NUL as UTF-8, ASCII on the fast path. */
export function readString(buf: Uint8Array, at: number, len: number): DecodedName {
  let end = at;
  const max = at + len;
  let ascii = true;
  for (; end < max; end++) {
    const c = buf[end]!;
    if (c === 0) break;
    if (c >= 0x80) ascii = false;
  }
  if (ascii) return { text: asciiString(buf, at, end), valid: true };
  const bytes = buf.subarray(at, end);
  try {
    return { text: utf8Fatal.decode(bytes), valid: true };
  } catch {
    return { text: utf8Lossy.decode(bytes), valid: false };
  }
}

/** Parsed PAX extended-header records; `undefined` when the block is malformed. */
export function parsePax(data: Uint8Array): Map<string, string | Uint8Array> | undefined {
  const out = new Map<string, string | Uint8Array>();
  let i = 0;
  while (i < data.length) {
    if (data[i] === 0) break; // trailing NUL padding
    let len = 0;
    let j = i;
    while (j < data.length && data[j]! >= 0x30 && data[j]! <= 0x39) {
      len = len * 10 + data[j++]! - 0x30;
    }
    if (j === i || data[j] !== 0x20 || len <= j - i + 1 || i + len > data.length) return undefined;
    const recEnd = i + len - 1;
    if (data[recEnd] !== 0x0a) return undefined;
    const eq = data.indexOf(0x3d, j + 1);
    if (eq < 0 || eq > recEnd) return undefined;
    const key = utf8Lossy.decode(data.subarray(j + 1, eq));
    const raw = data.subarray(eq + 1, recEnd);
    try {
      out.set(key, utf8Fatal.decode(raw));
    } catch {
      out.set(key, raw.slice()); // not UTF-8: kept as bytes, an invalid name if used as one
    }
    i = recEnd + 1;
  }
  return out;
}

/** Encodes one PAX record `"<len> <key>=<value>\n"`, where len counts the whole record. */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLen = new TextEncoder().encode(body).length;
  let len = bodyLen + String(bodyLen).length;
  if (String(len).length + bodyLen !== len) len = bodyLen + String(len).length;
  return `${len}${body}`;
}
