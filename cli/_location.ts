/**
 * Splits a CLI location (`./data/ds/shard-{000000..000009}.tar`, `s3://bucket/ds/`,
 * `file:///abs/ds`) into the store URL to open and the key or pattern inside it.
 *
 * With `--store URL`, the argument is taken as a key relative to that store instead.
 *
 * @module
 */

/** A location split into store URL and key (or prefix, or brace pattern). */
export interface Location {
  storeUrl: string;
  key: string;
}

/**
 * Splits `location` at the last `/` before any brace pattern.
 *
 * @example
 * ```ts
 * import { splitLocation } from "./_location.ts";
 * const loc = splitLocation("s3://bucket/ds/shard-{000000..000002}.tar");
 * if (loc.storeUrl !== "s3://bucket/ds" || loc.key !== "shard-{000000..000002}.tar") throw new Error();
 * ```
 */
export function splitLocation(location: string, store?: string): Location {
  if (store !== undefined) return { storeUrl: store, key: location.replace(/^\/+/, "") };
  const brace = location.indexOf("{");
  const head = brace === -1 ? location : location.slice(0, brace);
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(head)?.[0] ?? "";
  const slash = head.lastIndexOf("/");
  if (slash < scheme.length) {
    // Nothing after the scheme's authority (s3://bucket) or a bare relative name.
    return scheme ? { storeUrl: location, key: "" } : { storeUrl: ".", key: location };
  }
  return { storeUrl: location.slice(0, slash) || "/", key: location.slice(slash + 1) };
}
