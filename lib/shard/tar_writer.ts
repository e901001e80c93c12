/**
 * {@linkcode TarWriter}: a fast, deterministic ustar writer for WebDataset samples.
 *
 * @module
 */

import { BLOCK, padded, paxRecord, USTAR_MAX_SIZE } from "./_tar_fields.ts";

/** Options of {@linkcode TarWriter}. */
export interface TarWriterOptions {
  /** Modification time written in every header, in whole seconds since the epoch. @default {0} */
  mtime?: number;
  /** Size of the output chunks that small members are packed into. @default {65536} */
  chunkSize?: number;
}

/** Where a written sample lies in the tar. */
export interface SamplePosition {
  /** Byte offset of the sample's first header block. */
  offset: number;
  /** Bytes through the end of the sample's last padded data block. */
  size: number;
}

/** The end of a tar: two zero blocks, then zero fill to a whole 10240-byte record. */
export const RECORD_SIZE = 10240;

const encoder = new TextEncoder();

function octal(buf: Uint8Array, at: number, value: number, digits: number): number {
  let sum = 0;
  for (let i = digits - 1; i >= 0; i--) {
    const c = 0x30 + (value % 8);
    buf[at + i] = c;
    sum += c;
    value = Math.floor(value / 8);
  }
  return sum;
}

function sumOf(bytes: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < bytes.length; i++) s += bytes[i]!;
  return s;
}

function template(mtime: number, type: string): { bytes: Uint8Array; sum: number } {
  const h = new Uint8Array(BLOCK);
  const put = (at: number, s: string) => h.set(encoder.encode(s), at);
  put(100, "0000444\0"); // mode
  put(108, "0000000\0"); // uid
  put(116, "0000000\0"); // gid
  put(124, "00000000000\0"); // size
  octal(h, 136, mtime, 11); // mtime, then NUL
  put(148, "        "); // checksum, counted as spaces
  put(156, type);
  put(257, "ustar\x0000"); // magic + version
  put(329, "0000000\0"); // devmajor
  put(337, "0000000\0"); // devminor
  return { bytes: h, sum: sumOf(h) };
}

/**
 * Writes tar members into an in-memory queue of `Uint8Array` chunks that the caller drains
 * with {@linkcode TarWriter.take} (or {@linkcode TarWriter.finish} at the end).
 *
 * Output is deterministic: ustar headers with mode 0444, uid/gid 0, no user names, a fixed
 * mtime; a PAX header only for names that do not fit ustar's name/prefix fields and for
 * members of 8 GiB or more. Headers are stamped from a prebuilt template and checksummed
 * incrementally; small members are packed into shared chunks, large ones are passed through
 * without copying (so don't mutate a member's bytes until its chunk was consumed).
 *
 * @example
 * ```ts
 * import { TarWriter } from "./tar_writer.ts";
 * const tar = new TarWriter({ mtime: 0 });
 * const pos = tar.writeSample("sample-0", { "txt": new TextEncoder().encode("hello") });
 * if (pos.offset !== 0 || pos.size !== 1024) throw new Error("unexpected position");
 * const bytes = tar.finishBytes();
 * if (bytes.length !== 10240) throw new Error("tar is padded to a 10240-byte record");
 * ```
 */
export class TarWriter {
  #chunkSize: number;
  #file: { bytes: Uint8Array; sum: number };
  #pax: { bytes: Uint8Array; sum: number };
  #buf: Uint8Array;
  #pos = 0;
  #start = 0;
  #flushed = 0;
  #taken = 0;
  #chunks: Uint8Array[] = [];
  #finished = false;

  constructor(options: TarWriterOptions = {}) {
    const mtime = options.mtime ?? 0;
    if (!Number.isSafeInteger(mtime) || mtime < 0 || mtime > USTAR_MAX_SIZE) {
      throw new RangeError(
        `Cannot write tar: mtime ${mtime} is not a whole number of seconds in range`,
      );
    }
    this.#chunkSize = options.chunkSize ?? 65536;
    this.#file = template(mtime, "0");
    this.#pax = template(mtime, "x");
    this.#buf = new Uint8Array(this.#chunkSize);
  }

  /** Bytes written so far (the end-of-archive trailer included once finished). */
  get offset(): number {
    return this.#flushed + this.#pos - this.#start;
  }

  /** Bytes written but not yet returned by {@linkcode TarWriter.take}. */
  get untaken(): number {
    return this.offset - this.#taken;
  }

  /**
   * Throws a `RangeError` unless `key` and `files` make a valid sample: a key whose basename is
   * non-empty and dot-free, extensions that are non-empty and `/`-free, `Uint8Array` payloads.
   */
  static checkSample(key: string, files: Record<string, Uint8Array>): void {
    const slash = key.lastIndexOf("/");
    if (key.length === 0 || slash === key.length - 1 || key.indexOf(".", slash + 1) >= 0) {
      throw new RangeError(
        `Cannot write sample ${
          JSON.stringify(key)
        }: the key's basename must be non-empty and dot-free`,
      );
    }
    if (typeof files !== "object" || files === null) {
      throw new RangeError(`Cannot write sample ${JSON.stringify(key)}: files must be an object`);
    }
    for (const ext in files) {
      if (ext.length === 0 || ext.includes("/")) {
        throw new RangeError(
          `Cannot write sample ${JSON.stringify(key)}: invalid extension ${JSON.stringify(ext)}`,
        );
      }
      if (!(files[ext] instanceof Uint8Array)) {
        throw new RangeError(
          `Cannot write sample ${JSON.stringify(key)}: "${ext}" is not a Uint8Array`,
        );
      }
    }
  }

  /**
   * Writes one WebDataset sample: a member `<key>.<ext>` per entry of `files`, in order, and
   * returns where it lies. Invalid samples throw (see {@linkcode TarWriter.checkSample})
   * before anything is written.
   */
  writeSample(key: string, files: Record<string, Uint8Array>): SamplePosition {
    TarWriter.checkSample(key, files);
    const offset = this.offset;
    for (const ext in files) this.writeFile(`${key}.${ext}`, files[ext]!);
    return { offset, size: this.offset - offset };
  }

  /** Writes one regular-file member. */
  writeFile(name: string, data: Uint8Array): void {
    if (this.#finished) throw new TypeError("Cannot write to a finished TarWriter");
    const size = data.length;
    this.#ensure(BLOCK);
    let buf = this.#buf;
    let at = this.#pos;
    buf.set(this.#file.bytes, at);
    // Fast path: short ASCII name written straight into the header.
    let sum = this.#file.sum;
    let ascii = name.length <= 100;
    if (ascii) {
      for (let i = 0; i < name.length; i++) {
        const c = name.charCodeAt(i);
        if (c >= 0x80) {
          ascii = false; // the slow path restamps the header
          break;
        }
        buf[at + i] = c;
        sum += c;
      }
    }
    if (!ascii || size > USTAR_MAX_SIZE) {
      const fit = this.#slowName(name, size);
      buf = this.#buf; // a PAX header may have moved the write position
      at = this.#pos;
      buf.set(this.#file.bytes, at);
      sum = this.#file.sum;
      if (fit.name) buf.set(fit.name, at), sum += sumOf(fit.name);
      if (fit.prefix) buf.set(fit.prefix, at + 345), sum += sumOf(fit.prefix);
    }
    if (size <= USTAR_MAX_SIZE) sum += octal(buf, at + 124, size, 11) - 11 * 0x30;
    octal(buf, at + 148, sum, 6);
    buf[at + 154] = 0;
    this.#pos = at + BLOCK;
    this.#data(data);
  }

  /** Returns the chunks completed so far and forgets them. */
  take(): Uint8Array[] {
    this.#flush();
    const out = this.#chunks;
    this.#chunks = [];
    this.#taken = this.#flushed;
    return out;
  }

  /** Ends the archive (two zero blocks, zero fill to 10240 bytes) and returns the last chunks. */
  finish(): Uint8Array[] {
    if (!this.#finished) {
      const total = this.offset + 2 * BLOCK;
      const trailer = 2 * BLOCK + (RECORD_SIZE - (total % RECORD_SIZE)) % RECORD_SIZE;
      this.#ensure(trailer);
      this.#pos += trailer; // fresh buffers are zero-filled
      this.#finished = true;
    }
    return this.take();
  }

  /** {@linkcode TarWriter.finish}, concatenated with anything not yet taken, as one buffer. */
  finishBytes(): Uint8Array {
    const chunks = this.finish();
    if (chunks.length === 1) return chunks[0]!;
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) out.set(c, at), at += c.length;
    return out;
  }

  #data(data: Uint8Array): void {
    const size = data.length;
    const pad = padded(size) - size;
    if (size <= this.#chunkSize >>> 2) {
      this.#ensure(size + pad);
      this.#buf.set(data, this.#pos);
      this.#pos += size + pad;
      return;
    }
    this.#flush();
    this.#chunks.push(data);
    this.#flushed += size;
    this.#ensure(pad);
    this.#pos += pad;
  }

  /** Encodes a name that is not short ASCII: ustar prefix split if possible, else PAX. */
  #slowName(name: string, size: number): { name?: Uint8Array; prefix?: Uint8Array } {
    const bytes = encoder.encode(name);
    let records = "";
    let fit: { name?: Uint8Array; prefix?: Uint8Array } | undefined;
    if (bytes.length <= 100) fit = { name: bytes };
    else {
      for (let i = bytes.length - 1; i >= 0; i--) {
        if (bytes[i] !== 0x2f) continue;
        if (bytes.length - i - 1 > 100) break; // further left only lengthens the name part
        if (i > 155) continue;
        if (bytes.length - i - 1 > 0 && i > 0) {
          fit = { name: bytes.subarray(i + 1), prefix: bytes.subarray(0, i) };
        }
        break;
      }
    }
    if (!fit) records += paxRecord("path", name);
    if (size > USTAR_MAX_SIZE) records += paxRecord("size", String(size));
    if (records === "") return fit!;
    const body = encoder.encode(records);
    this.#ensure(BLOCK);
    const at = this.#pos;
    const buf = this.#buf;
    buf.set(this.#pax.bytes, at);
    const label = encoder.encode("././@PaxHeader");
    buf.set(label, at);
    const sum = this.#pax.sum + sumOf(label) + octal(buf, at + 124, body.length, 11) - 11 * 0x30;
    octal(buf, at + 148, sum, 6);
    buf[at + 154] = 0;
    this.#pos = at + BLOCK;
    this.#data(body);
    this.#ensure(BLOCK);
    if (fit) return fit;
    let cut = Math.min(100, bytes.length); // a readable stand-in, cut on a character boundary
    while (cut < bytes.length && (bytes[cut]! & 0xc0) === 0x80) cut--;
    return { name: bytes.subarray(0, cut) };
  }

  #ensure(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    this.#flush();
    this.#buf = new Uint8Array(Math.max(this.#chunkSize, n));
    this.#pos = 0;
    this.#start = 0;
  }

  #flush(): void {
    if (this.#pos === this.#start) return;
    this.#chunks.push(this.#buf.subarray(this.#start, this.#pos));
    this.#flushed += this.#pos - this.#start;
    this.#start = this.#pos;
  }
}
