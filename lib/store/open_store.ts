/**
 * {@linkcode openStore}: opens a {@linkcode Store} from a URL, choosing the backend from a table
 * of URL schemes that backends register themselves in.
 *
 * @module
 */
import type { Store } from "./store.ts";
import { StoreError } from "./store_error.ts";
import { parseStoreUrl, type StoreUrl } from "./store_url.ts";
import { LocalStore } from "./local_store.ts";
import { MemoryStore } from "./memory_store.ts";
import type { S3Options } from "./s3_store.ts";

/** Options for {@linkcode openStore}: per-backend settings, used by the backend they name. */
export interface OpenStoreOptions {
  /** Settings of `s3://` stores (endpoint, region, credentials, ...). @default {} */
  s3?: S3Options;
}

/** Builds a store for a parsed URL. */
export type StoreFactory = (url: StoreUrl, options: OpenStoreOptions) => Store | Promise<Store>;

const schemes = new Map<string, StoreFactory>();

/**
 * Registers (or replaces) the backend for a URL scheme, given without `:` (`"s3"`).
 *
 * @example
 * ```ts
 * import { openStore, registerStoreScheme } from "./open_store.ts";
 * import { MemoryStore } from "./memory_store.ts";
 * registerStoreScheme("scratch", (url) => new MemoryStore({ name: `scratch-${url.host}` }));
 * const store = await openStore("scratch://tmp");
 * await store.put("a", "1");
 * ```
 */
export function registerStoreScheme(scheme: string, factory: StoreFactory): void {
  schemes.set(scheme.toLowerCase(), factory);
}

/** The registered schemes, sorted. */
export function storeSchemes(): string[] {
  return [...schemes.keys()].sort();
}

/**
 * Opens a store. Plain paths (`./data`, `data`, `/abs`) and `file:///abs` open a
 * {@linkcode LocalStore}, `s3://bucket/prefix` an {@linkcode S3Store}, `memory://name` a
 * {@linkcode MemoryStore} shared by name within the process. Rejects with a
 * {@linkcode StoreError} of code `"invalid_url"` or `"unsupported_scheme"`.
 *
 * @example
 * ```ts
 * import { openStore } from "./open_store.ts";
 * const store = await openStore("memory://example");
 * await store.put("ds/x.txt", "hi");
 * if ((await store.head("ds/x.txt"))?.size !== 2) throw new Error("unexpected");
 * ```
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  const parsed = parseStoreUrl(url);
  const factory = schemes.get(parsed.scheme);
  if (!factory) {
    throw new StoreError(
      "unsupported_scheme",
      `Cannot open store "${parsed.href}": unsupported scheme "${parsed.scheme}:" (supported: ${
        storeSchemes().map((s) => `${s}:`).join(", ")
      })`,
      { url: parsed.href },
    );
  }
  return await factory(parsed, options);
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

registerStoreScheme("file", (url) => new LocalStore(url.path));
registerStoreScheme("memory", (url) => {
  if (url.path) {
    throw new StoreError(
      "invalid_url",
      `Invalid store URL "${url.href}": memory URLs take no path`,
      {
        url: url.href,
      },
    );
  }
  return new MemoryStore({ name: url.host });
});
// The S3 backend (and the AWS SDK, slow to import) loads on first use only, so that local
// processes (CLI, job workers) start fast.
registerStoreScheme("s3", async (url, options) => {
  if (!BUCKET.test(url.host)) {
    throw new StoreError(
      "invalid_url",
      `Invalid store URL "${url.href}": "${url.host}" is not a valid bucket name (3-63 of a-z 0-9 . -)`,
      { url: url.href },
    );
  }
  const { S3Store } = await import("./s3_store.ts");
  try {
    return new S3Store(url.host, { ...options.s3, prefix: url.path });
  } catch (cause) {
    if (cause instanceof StoreError && cause.code === "invalid_key") {
      throw new StoreError("invalid_url", `Invalid store URL "${url.href}": bad prefix`, {
        url: url.href,
        cause,
      });
    }
    throw cause;
  }
});
