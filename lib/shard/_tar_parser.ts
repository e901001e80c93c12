/**
 * The push-style, zero-copy tar parser behind `scanTar` and `scanSamples` (private).
 *
 * Chunks go in with {@linkcode TarParser.push}; complete entries come out synchronously into an
 * array. A member whose data lies inside one chunk is a `subarray` of it (no copy); data that
 * spans chunks is gathered into one new buffer. Fatal errors (checksum, malformed header,
 * truncation) stop the parser and are kept in {@linkcode TarParser.fatal}; member-level errors
 * (too large, invalid name) ride on the entry so callers can skip and continue.
 *
 * @module
 */

import { ShardError } from "./shard_error.ts";
import type { TarEntry } from "./tar_entry.ts";
import {
  BLOCK,
  headerChecksum,
  isZeroBlock,
  padded,
  parsePax,
  readNumber,
  readString,
} from "./_tar_fields.ts";

/** An entry plus the member-level error found while parsing it, if any. */
export interface ParsedEntry extends TarEntry {
  error?: ShardError;
}

const HEADER = 0, DATA = 1, SKIP = 2, DONE = 3;
const EMPTY = new Uint8Array(0);
/** Cap on PAX / GNU long-name payloads: they are names and small records, not data. */
const MAX_EXTENSION = 1 << 20;

function pick(map: Map<string, string | Uint8Array> | undefined, key: string) {
  return map?.get(key);
}

/** Incremental tar parser. */
export class TarParser {
  /** Absolute offset of the next byte to be pushed. */
  pos = 0;
  /** The error that stopped parsing, if any. */
  fatal?: ShardError;
  /**
   * The member whose header was read but whose data the input ended inside (set by
   * {@linkcode TarParser.end}): what follows a complete sample, when it names another key.
   */
  partial?: ParsedEntry;
  #state = HEADER;
  #maxMember: number;
  #hdr = new Uint8Array(BLOCK);
  #hdrWords = new Uint32Array(this.#hdr.buffer);
  #hdrFill = 0;
  #hdrStart = 0;
  #skip = 0;
  #size = 0;
  /** First header block of the member (or extension header) whose data is being read. */
  #memberStart = 0;
  #memberName: string | undefined;
  // The member whose data is being read.
  #cur: ParsedEntry | undefined;
  #curExt = "";
  #buf: Uint8Array | undefined;
  #fill = 0;
  // Extension headers waiting for their member.
  #extStart = -1;
  #pax: Map<string, string | Uint8Array> | undefined;
  #global: Map<string, string | Uint8Array> | undefined;
  #longName: Uint8Array | undefined;
  #longLink: Uint8Array | undefined;

  constructor(maxMemberSize: number) {
    this.#maxMember = maxMemberSize;
  }

  /** True once the end-of-archive block was seen or a fatal error stopped parsing. */
  get done(): boolean {
    return this.#state === DONE;
  }

  /** Parses `chunk`, appending each completed entry to `out`. */
  push(chunk: Uint8Array, out: ParsedEntry[]): void {
    const base = this.pos;
    const n = chunk.length;
    const words = (chunk.byteOffset & 3) === 0
      ? new Uint32Array(chunk.buffer, chunk.byteOffset, n >>> 2)
      : undefined;
    this.pos += n;
    let i = 0;
    while (i < n) {
      const state = this.#state;
      if (state === HEADER) {
        if (this.#hdrFill === 0) {
          this.#hdrStart = base + i;
          if (n - i >= BLOCK) {
            this.#header(chunk, i, out, words);
            i += BLOCK;
            continue;
          }
        }
        const take = Math.min(BLOCK - this.#hdrFill, n - i);
        this.#hdr.set(chunk.subarray(i, i + take), this.#hdrFill);
        this.#hdrFill += take;
        i += take;
        if (this.#hdrFill === BLOCK) {
          this.#hdrFill = 0;
          this.#header(this.#hdr, 0, out, this.#hdrWords);
        }
      } else if (state === DATA) {
        const size = this.#size;
        if (this.#fill === 0 && n - i >= size) {
          this.#finish(chunk.subarray(i, i + size), out);
          i += size;
        } else {
          const buf = this.#buf ??= new Uint8Array(size);
          const take = Math.min(size - this.#fill, n - i);
          buf.set(chunk.subarray(i, i + take), this.#fill);
          this.#fill += take;
          i += take;
          if (this.#fill === size) {
            this.#buf = undefined;
            this.#fill = 0;
            this.#finish(buf, out);
          }
        }
      } else if (state === SKIP) {
        const take = Math.min(this.#skip, n - i);
        this.#skip -= take;
        i += take;
        if (this.#skip === 0) this.#state = HEADER;
      } else return;
    }
  }

  /**
   * Signals the end of input; records a `"truncated"` error when a member is incomplete, an
   * `"empty_shard"` error when no byte came at all.
   */
  end(): void {
    if (this.#state === DONE) return;
    if (this.pos === 0) {
      // As Python's tarfile: no bytes is no archive (an empty one still has its end blocks).
      return this.#fail("empty_shard", "the shard is empty (0 bytes)", 0);
    }
    const midHeader = this.#state === HEADER && (this.#hdrFill > 0 || this.#extStart >= 0);
    if (this.#state !== HEADER || midHeader) {
      const at = this.#state !== HEADER
        ? this.#memberStart
        : this.#extStart >= 0
        ? this.#extStart
        : this.#hdrStart;
      const path = this.#state !== HEADER ? this.#memberName : undefined;
      if (this.#state === DATA) this.partial = this.#cur;
      this.#fail("truncated", `unexpected end of data (${this.pos} bytes read)`, at, path);
    }
    this.#state = DONE;
  }

  #fail(
    code: "truncated" | "checksum_mismatch" | "invalid_header" | "empty_shard",
    detail: string,
    at: number,
    path?: string,
  ) {
    this.fatal = new ShardError(code, detail, { offset: at, path });
    this.#state = DONE;
  }

  #header(buf: Uint8Array, at: number, out: ParsedEntry[], words?: Uint32Array): void {
    const start = this.#hdrStart;
    const stored = readNumber(buf, at + 148, 8);
    const sum = headerChecksum(buf, at, words);
    if (stored !== sum) {
      if (isZeroBlock(buf, at)) {
        if (this.#extStart >= 0) {
          this.#fail("truncated", "end of archive inside an extended header", this.#extStart);
        } else this.#state = DONE;
        return;
      }
      // Historic tars summed signed bytes; accept that too.
      let signed = sum;
      for (let i = at; i < at + BLOCK; i++) {
        if (buf[i]! >= 0x80 && (i < at + 148 || i >= at + 156)) signed -= 256;
      }
      if (stored !== signed) {
        return this.#fail("checksum_mismatch", "header checksum mismatch", start);
      }
    }
    let size = readNumber(buf, at + 124, 12);
    if (size < 0) return this.#fail("invalid_header", "malformed size field", start);
    let type = buf[at + 156]!;
    if (type === 0) type = 0x30; // old-style regular file
    if (type === 0x78 || type === 0x67 || type === 0x4c || type === 0x4b) {
      // PAX 'x' / 'g', GNU 'L' / 'K': the payload describes the next member.
      if (size > MAX_EXTENSION) {
        return this.#fail("invalid_header", "extended header too large", start);
      }
      if (type !== 0x67 && this.#extStart < 0) this.#extStart = start;
      this.#curExt = String.fromCharCode(type);
      this.#cur = undefined;
      this.#memberStart = this.#extStart >= 0 ? this.#extStart : start;
      this.#memberName = undefined;
      return this.#begin(size, out);
    }
    const ustar = buf[at + 257] === 0x75 && buf[at + 262] === 0 && buf[at + 263] === 0x30; // "ustar\0" "00"
    let name: string;
    let valid = true;
    const long = this.#longName;
    const paxPath = pick(this.#pax, "path") ?? pick(this.#global, "path");
    if (paxPath !== undefined) {
      if (typeof paxPath === "string") name = paxPath;
      else ({ text: name, valid } = readString(paxPath, 0, paxPath.length));
    } else if (long !== undefined) {
      ({ text: name, valid } = readString(long, 0, long.length));
    } else {
      ({ text: name, valid } = readString(buf, at, 100));
      if (ustar && buf[at + 345] !== 0) {
        const prefix = readString(buf, at + 345, 155);
        name = `${prefix.text}/${name}`;
        valid &&= prefix.valid;
      }
    }
    let linkname = "";
    const paxLink = pick(this.#pax, "linkpath") ?? pick(this.#global, "linkpath");
    if (typeof paxLink === "string") linkname = paxLink;
    else if (this.#longLink !== undefined) {
      linkname = readString(this.#longLink, 0, this.#longLink.length).text;
    } else if (buf[at + 157] !== 0) linkname = readString(buf, at + 157, 100).text;
    const paxSize = pick(this.#pax, "size") ?? pick(this.#global, "size");
    if (paxSize !== undefined) {
      size = typeof paxSize === "string" && /^\d+$/.test(paxSize) ? Number(paxSize) : -1;
      if (!Number.isSafeInteger(size)) {
        return this.#fail("invalid_header", "malformed PAX size record", start);
      }
    }
    const paxMtime = pick(this.#pax, "mtime") ?? pick(this.#global, "mtime");
    const mtime = typeof paxMtime === "string" ? Number(paxMtime) : readNumber(buf, at + 136, 12);
    const headerOffset = this.#extStart >= 0 ? this.#extStart : start;
    this.#extStart = -1;
    this.#memberStart = headerOffset;
    this.#memberName = name;
    this.#pax = undefined;
    this.#longName = undefined;
    this.#longLink = undefined;
    const entry: ParsedEntry = {
      name,
      type: String.fromCharCode(type),
      size,
      mode: readNumber(buf, at + 100, 8),
      mtime,
      linkname,
      headerOffset,
      dataOffset: start + BLOCK,
      end: start + BLOCK + padded(size),
      data: EMPTY,
    };
    if (!valid) {
      entry.error = new ShardError("invalid_name", "member name is not valid UTF-8", {
        offset: headerOffset,
        path: name,
      });
    }
    if (size > this.#maxMember) {
      entry.error = new ShardError(
        "member_too_large",
        `member ${JSON.stringify(name)} of ${size} bytes exceeds the limit of ${this.#maxMember}`,
        { offset: headerOffset, path: name },
      );
      out.push(entry);
      this.#skip = padded(size);
      this.#state = this.#skip > 0 ? SKIP : HEADER;
      return;
    }
    this.#curExt = "";
    this.#cur = entry;
    this.#begin(size, out);
  }

  #begin(size: number, out: ParsedEntry[]): void {
    this.#skip = padded(size) - size;
    if (size === 0) return this.#finish(EMPTY, out);
    this.#size = size;
    this.#state = DATA;
  }

  #finish(data: Uint8Array, out: ParsedEntry[]): void {
    const cur = this.#cur;
    if (cur !== undefined) {
      cur.data = data;
      out.push(cur);
      this.#cur = undefined;
    } else {
      this.#extension(data);
      if (this.fatal) return;
    }
    this.#state = this.#skip > 0 ? SKIP : HEADER;
  }

  #extension(data: Uint8Array): void {
    const ext = this.#curExt;
    if (ext === "L") this.#longName = data.slice();
    else if (ext === "K") this.#longLink = data.slice();
    else {
      const records = parsePax(data);
      if (records === undefined) {
        return this.#fail("invalid_header", "malformed PAX header", this.#hdrStart);
      }
      if (ext === "g") this.#global = new Map([...(this.#global ?? []), ...records]);
      else this.#pax = records;
    }
  }
}
