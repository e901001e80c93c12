/**
 * Key rules shared by every backend: validation, byte-order comparison, range checks and the
 * hidden temp-file names of the local store (reserved on every backend so all behave alike).
 *
 * @module
 */
import type { ByteRange } from "./store.ts";
import { StoreError } from "./store_error.ts";

/** Matches the hidden temp names `.<name>.<16 hex>.tmp` that the local store writes before renaming. */
export const TEMP_NAME = /^\..*\.[0-9a-f]{16}\.tmp$/;

/** Why a key (or, with `partialLast`, a list prefix) is invalid, or `undefined` when valid. */
function keyProblem(key: string, partialLast: boolean): string | undefined {
  if (typeof key !== "string") return "not a string";
  if (key.includes("\0")) return "contains a NUL character";
  if (key.includes("\\")) return "contains a backslash";
  if (key.startsWith("/")) return "is absolute (starts with /)";
  const segments = key.split("/");
  // A prefix may end inside a segment ("ds/shard-0", "ds/."): only whole segments are checked.
  if (partialLast) segments.pop();
  for (const segment of segments) {
    if (segment === "") return "has an empty path segment";
    if (segment === "." || segment === "..") return `has a "${segment}" segment`;
    if (TEMP_NAME.test(segment)) return "uses a reserved temp-file name";
  }
  return undefined;
}

/**
 * Throws a {@linkcode StoreError} of code `"invalid_key"` unless `key` is a relative `/`-separated
 * path without empty, `.` or `..` segments, backslashes or NUL characters.
 */
export function assertKey(key: string, url: string): void {
  const problem = key === "" ? "is empty" : keyProblem(key, false);
  if (problem) {
    throw new StoreError(
      "invalid_key",
      `Invalid key ${JSON.stringify(key)} in ${url}: ${problem}`,
      {
        key,
        url,
      },
    );
  }
}

/** Like {@linkcode assertKey} for list prefixes: `""`, a trailing `/` and a partial last segment are allowed. */
export function assertPrefix(prefix: string, url: string): void {
  const problem = keyProblem(prefix, true);
  if (problem) {
    throw new StoreError(
      "invalid_key",
      `Invalid prefix ${JSON.stringify(prefix)} in ${url}: ${problem}`,
      { key: prefix, url },
    );
  }
}

/** Compares keys by code point, which is the UTF-8 byte order S3 lists in. */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (0xD800-0xDFFF) encode code points above 0xFFFF: they sort after all BMP units.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** Checks a {@linkcode ByteRange}: non-negative safe integers. Throws `RangeError` otherwise. */
export function assertRange(range: ByteRange | undefined): void {
  if (!range) return;
  const { offset, length } = range;
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new RangeError(`Invalid byte range: offset ${offset} is not a non-negative integer`);
  }
  if (length !== undefined && (!Number.isSafeInteger(length) || length < 0)) {
    throw new RangeError(`Invalid byte range: length ${length} is not a non-negative integer`);
  }
}

/** The `[start, end)` bounds of `range` within an object of `size` bytes, clamped to its end. */
export function clampRange(range: ByteRange | undefined, size: number): [number, number] {
  if (!range) return [0, size];
  const start = Math.min(range.offset, size);
  const end = range.length === undefined ? size : Math.min(size, range.offset + range.length);
  return [start, Math.max(start, end)];
}
