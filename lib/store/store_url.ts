/**
 * Parsing of store URLs: plain paths, `file:///abs`, `s3://bucket/prefix`, `memory://name` and
 * any other `scheme://host/path` a backend registers.
 *
 * @module
 */
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { StoreError } from "./store_error.ts";

/** A parsed store URL. */
export interface StoreUrl {
  /** The scheme without `:`, lower-cased: `"file"`, `"s3"`, `"memory"`, ... */
  scheme: string;
  /** The normalized URL, e.g. `file:///abs/data` or `s3://bucket/prefix`. Never holds secrets. */
  href: string;
  /** The authority: the bucket for `s3:`, the name for `memory:`, `""` for `file:`. */
  host: string;
  /**
   * The path, percent-decoded: absolute file system path for `file:`, the key prefix for other
   * schemes (no leading or trailing `/`, `""` for none).
   */
  path: string;
}

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//;

/**
 * Parses a store URL. Strings without `scheme://` are local paths, resolved against the
 * working directory. Rejects with a {@linkcode StoreError} of code `"invalid_url"` for empty
 * strings, URLs with credentials, queries or fragments, and malformed URLs. Scheme support is
 * checked later, by `openStore`.
 *
 * @example
 * ```ts
 * import { parseStoreUrl } from "./store_url.ts";
 * const url = parseStoreUrl("s3://my-bucket/datasets/");
 * if (url.scheme !== "s3" || url.host !== "my-bucket" || url.path !== "datasets") throw new Error();
 * if (parseStoreUrl("/tmp/data").href !== "file:///tmp/data") throw new Error();
 * ```
 */
export function parseStoreUrl(input: string): StoreUrl {
  if (typeof input !== "string" || input.trim() === "") {
    throw invalid(String(input), "the URL is empty");
  }
  if (input.includes("\0")) throw invalid(input, "it contains a NUL character");
  const match = SCHEME.exec(input);
  if (!match) return fileUrl(resolve(input));
  let url: URL;
  try {
    url = new URL(input);
  } catch (cause) {
    throw invalid(redact(input), "it is not a valid URL", cause);
  }
  const shown = redact(input);
  if (url.username || url.password) {
    throw invalid(shown, "credentials in URLs are not accepted; pass them as options");
  }
  if (url.search || url.hash) throw invalid(shown, "queries and fragments are not accepted");
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  if (scheme === "file") {
    if (url.host !== "" && url.host !== "localhost") {
      throw invalid(shown, `file URLs need an empty host, not "${url.host}"`);
    }
    try {
      return fileUrl(resolve(fileURLToPath(url)));
    } catch (cause) {
      throw invalid(shown, "it is not a valid file URL", cause);
    }
  }
  if (hasDotSegment(input.slice(match[0].length))) {
    throw invalid(shown, `"." and ".." path segments are not accepted`);
  }
  let path: string;
  try {
    path = decodeURIComponent(url.pathname).replace(/^\/+/, "").replace(/\/+$/, "");
  } catch (cause) {
    throw invalid(shown, "its path is not valid percent-encoding", cause);
  }
  let host: string;
  try {
    host = decodeURIComponent(url.host);
  } catch (cause) {
    throw invalid(shown, "its host is not valid percent-encoding", cause);
  }
  if (host === "") throw invalid(shown, `${scheme} URLs need a host (bucket or name)`);
  return {
    scheme,
    host,
    path,
    href: `${scheme}://${url.host}${path ? `/${encodePath(path)}` : ""}`,
  };
}

function fileUrl(path: string): StoreUrl {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, "") : path;
  return { scheme: "file", host: "", path: trimmed, href: pathToFileURL(trimmed).href };
}

/** Whether the raw path after `scheme://` has `.` or `..` segments (which `URL` would fold away). */
function hasDotSegment(afterScheme: string): boolean {
  const slash = afterScheme.search(/[/?#]/);
  if (slash < 0 || afterScheme[slash] !== "/") return false;
  const rawPath = afterScheme.slice(slash + 1).split(/[?#]/)[0] ?? "";
  return rawPath.split("/").some((segment) => /^(\.|%2e){1,2}$/i.test(segment));
}

function encodePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

/** Hides any `user:password@` part so error messages never echo secrets. */
function redact(input: string): string {
  return input.replace(/^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)[^/?#]*@/, "$1***@");
}

function invalid(shown: string, why: string, cause?: unknown): StoreError {
  return new StoreError("invalid_url", `Invalid store URL "${shown}": ${why}`, {
    url: shown,
    cause,
  });
}
