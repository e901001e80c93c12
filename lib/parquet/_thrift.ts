/**
 * A Thrift compact-protocol writer: just what Parquet's page headers and footer need (structs,
 * lists, i32, i64, bool, binary). Field ids are written as deltas from the previous field of the
 * same struct, as the protocol requires.
 *
 * @module
 */

/** Compact-protocol type ids. */
export const T = {
  TRUE: 1,
  FALSE: 2,
  I32: 5,
  I64: 6,
  BINARY: 8,
  LIST: 9,
  STRUCT: 12,
} as const;

const encoder = new TextEncoder();

/** Writes one Thrift value tree into a growing byte buffer. */
export class ThriftWriter {
  #buf = new Uint8Array(512);
  #pos = 0;
  #lastId = 0;
  readonly #stack: number[] = [];

  /** The bytes written so far (a view, valid until the next write). */
  bytes(): Uint8Array {
    return this.#buf.subarray(0, this.#pos);
  }

  /** Starts over (keeps the buffer). */
  reset(): void {
    this.#pos = 0;
    this.#lastId = 0;
    this.#stack.length = 0;
  }

  #ensure(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#pos + n));
    next.set(this.#buf.subarray(0, this.#pos));
    this.#buf = next;
  }

  #byte(b: number): void {
    this.#ensure(1);
    this.#buf[this.#pos++] = b;
  }

  /** Unsigned varint of a non-negative safe integer. */
  #varint(n: number): void {
    this.#ensure(10);
    while (n >= 0x80) {
      this.#buf[this.#pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.#buf[this.#pos++] = n;
  }

  #zigzag(n: number): void {
    this.#varint(n >= 0 ? n * 2 : -n * 2 - 1);
  }

  #field(id: number, type: number): void {
    const delta = id - this.#lastId;
    if (delta > 0 && delta <= 15) this.#byte((delta << 4) | type);
    else {
      this.#byte(type);
      this.#zigzag(id);
    }
    this.#lastId = id;
  }

  /** An i32 field. */
  i32(id: number, v: number): this {
    this.#field(id, T.I32);
    this.#zigzag(v);
    return this;
  }

  /** An i64 field (a safe integer). */
  i64(id: number, v: number): this {
    this.#field(id, T.I64);
    this.#zigzag(v);
    return this;
  }

  /** A bool field. */
  bool(id: number, v: boolean): this {
    this.#field(id, v ? T.TRUE : T.FALSE);
    return this;
  }

  /** A binary field. */
  binary(id: number, bytes: Uint8Array): this {
    this.#field(id, T.BINARY);
    this.#rawBinary(bytes);
    return this;
  }

  /** A string field (UTF-8). */
  string(id: number, s: string): this {
    return this.binary(id, encoder.encode(s));
  }

  #rawBinary(bytes: Uint8Array): void {
    this.#varint(bytes.length);
    this.#ensure(bytes.length);
    this.#buf.set(bytes, this.#pos);
    this.#pos += bytes.length;
  }

  /** A struct field whose fields `body` writes. */
  struct(id: number, body: (w: this) => void): this {
    this.#field(id, T.STRUCT);
    return this.structBody(body);
  }

  /** A struct's fields and stop byte (the top-level value, or a list element). */
  structBody(body: (w: this) => void): this {
    this.#stack.push(this.#lastId);
    this.#lastId = 0;
    body(this);
    this.#byte(0);
    this.#lastId = this.#stack.pop()!;
    return this;
  }

  #listHeader(id: number, type: number, size: number): void {
    this.#field(id, T.LIST);
    if (size < 15) this.#byte((size << 4) | type);
    else {
      this.#byte(0xf0 | type);
      this.#varint(size);
    }
  }

  /** A list of i32. */
  i32List(id: number, values: readonly number[]): this {
    this.#listHeader(id, T.I32, values.length);
    for (const v of values) this.#zigzag(v);
    return this;
  }

  /** A list of strings. */
  stringList(id: number, values: readonly string[]): this {
    this.#listHeader(id, T.BINARY, values.length);
    for (const v of values) this.#rawBinary(encoder.encode(v));
    return this;
  }

  /** A list of structs, each written by `body`. */
  structList<I>(id: number, items: readonly I[], body: (w: this, item: I) => void): this {
    this.#listHeader(id, T.STRUCT, items.length);
    for (const item of items) this.structBody((w) => body(w, item));
    return this;
  }
}
