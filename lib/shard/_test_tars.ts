/**
 * Hand-built tar bytes for tests: raw headers of every flavour, PAX and GNU extension
 * members, chunking helpers and a Python runner (private, test-only).
 *
 * @module
 */

const enc = new TextEncoder();

/** Fields of a hand-built header; strings are UTF-8 encoded, bytes are written as given. */
export interface RawHeader {
  name?: string | Uint8Array;
  size?: number;
  /** One-character typeflag. @default "0" */
  type?: string;
  linkname?: string;
  prefix?: string;
  /** `"ustar"` (POSIX, `ustar\0` `00`), `"gnu"` (`ustar  \0`) or `"v7"` (none). @default "ustar" */
  magic?: "ustar" | "gnu" | "v7";
  /** A raw 12-byte size field (e.g. GNU base-256) instead of octal `size`. */
  sizeField?: Uint8Array;
  mode?: number;
  mtime?: number;
}

function put(h: Uint8Array, at: number, value: string | Uint8Array, len: number): void {
  const bytes = typeof value === "string" ? enc.encode(value) : value;
  h.set(bytes.subarray(0, len), at);
}

function oct(value: number, len: number): string {
  return value.toString(8).padStart(len - 1, "0") + "\0";
}

/** Recomputes the checksum of the header at `tar[at]` in place. */
export function fixChecksum(tar: Uint8Array, at = 0): void {
  tar.fill(0x20, at + 148, at + 156);
  let sum = 0;
  for (let i = at; i < at + 512; i++) sum += tar[i]!;
  put(tar, at + 148, sum.toString(8).padStart(6, "0") + "\0 ", 8);
}

/** One 512-byte header with a valid checksum. */
export function header(f: RawHeader): Uint8Array {
  const h = new Uint8Array(512);
  put(h, 0, f.name ?? "", 100);
  put(h, 100, oct(f.mode ?? 0o644, 8), 8);
  put(h, 108, oct(0, 8), 8);
  put(h, 116, oct(0, 8), 8);
  if (f.sizeField) h.set(f.sizeField, 124);
  else put(h, 124, oct(f.size ?? 0, 12), 12);
  put(h, 136, oct(f.mtime ?? 0, 12), 12);
  h[156] = (f.type ?? "0").charCodeAt(0);
  put(h, 157, f.linkname ?? "", 100);
  const magic = f.magic ?? "ustar";
  if (magic === "ustar") put(h, 257, "ustar\x0000", 8);
  if (magic === "gnu") put(h, 257, "ustar  \0", 8);
  if (f.prefix) put(h, 345, f.prefix, 155);
  fixChecksum(h);
  return h;
}

/** Data padded to whole blocks. */
export function padBlocks(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / 512) * 512);
  out.set(data);
  return out;
}

/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, at), at += p.length;
  return out;
}

/** Header plus padded data of one member. */
export function member(
  name: string | Uint8Array,
  data: Uint8Array | string = "",
  f: RawHeader = {},
): Uint8Array {
  const bytes = typeof data === "string" ? enc.encode(data) : data;
  return concat(
    header({ ...f, name, size: f.sizeField ? undefined : bytes.length }),
    padBlocks(bytes),
  );
}

/** A PAX extended header (`x`, or `g` for global) carrying `records`. */
export function pax(records: Record<string, string>, type: "x" | "g" = "x"): Uint8Array {
  let body = "";
  for (const [k, v] of Object.entries(records)) {
    const rest = ` ${k}=${v}\n`;
    const restLen = enc.encode(rest).length;
    let len = restLen + 1;
    while (String(len).length + restLen !== len) len++;
    body += `${len}${rest}`;
  }
  return member("././@PaxHeader", body, { type });
}

/** A GNU long-name (`L`) or long-link (`K`) member. */
export function gnuLong(value: string, type: "L" | "K" = "L"): Uint8Array {
  return member("././@LongLink", enc.encode(value + "\0"), { type, magic: "gnu" });
}

/** Two zero blocks. */
export const EOF_BLOCKS: Uint8Array = new Uint8Array(1024);

/** Feeds `bytes` as an async iterable of chunks of the given sizes (cycled). */
export async function* chunks(bytes: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  let i = 0;
  for (let at = 0; at < bytes.length; i++) {
    const n = sizes[i % sizes.length]!;
    yield bytes.slice(at, at + n); // copies: chunks own their memory like stream reads do
    at += n;
  }
}

/** Collects an async iterable. */
export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Runs `exe` with `args`, feeding it `stdin` when given; stdout and stderr are captured. */
export async function runPiped(
  exe: string,
  args: string[],
  stdin?: Uint8Array,
): Promise<Deno.CommandOutput> {
  const child = new Deno.Command(exe, {
    args,
    stdin: stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin) {
    const w = child.stdin.getWriter();
    await w.write(stdin);
    await w.close();
  }
  return await child.output();
}
