/**
 * Stores: one small object-store interface over a local folder, S3-compatible storage
 * (Cloudflare R2, AWS S3, s3rver) and memory.
 *
 * Open a store from a URL; the backend is chosen from a table of URL schemes
 * ({@linkcode registerStoreScheme} adds more):
 *
 * | URL                               | backend              |
 * | --------------------------------- | -------------------- |
 * | `./data`, `data`, `/abs`, `file:///abs` | {@linkcode LocalStore}  |
 * | `s3://bucket/prefix`              | {@linkcode S3Store}     |
 * | `memory://name`                   | {@linkcode MemoryStore} |
 *
 * Every {@linkcode Store} has the same semantics: keys are `/`-separated relative paths
 * (checked: `"invalid_key"`); `get`/`getStream` read whole objects or byte ranges (clamped
 * to the end); `put` takes bytes, a string or a `ReadableStream` and is atomic (no reader ever
 * sees a half-written object, also when the source stream fails); `put(..., { ifNoneMatch: "*" })`
 * is create-only (`"already_exists"`); `head` gives size and dates; `list(prefix)` yields keys
 * in byte order, paginating internally, with `delimiter: "/"` for one level; `delete` ignores
 * absent keys. Failures are {@linkcode StoreError}s with a `code`.
 *
 * Create-only puts are race-free on the local store (hard link) and in memory; on S3 they rest
 * on the server honoring `If-None-Match: *` (R2 and AWS S3 do; s3rver does not).
 *
 * @example
 * ```ts
 * import { openStore } from "./mod.ts";
 * const store = await openStore("memory://tour");
 * await store.put("ds/shard-000000.tar", new Uint8Array([1, 2, 3, 4]));
 * await store.put("ds/shard-000000.manifest.json", "{}", { ifNoneMatch: "*" });
 * const head = await store.get("ds/shard-000000.tar", { range: { offset: 0, length: 2 } });
 * const keys: string[] = [];
 * for await (const info of store.list("ds/")) keys.push(info.key);
 * console.log(head, keys);
 * ```
 *
 * @module
 */
export type {
  ByteRange,
  GetOptions,
  ListOptions,
  ObjectInfo,
  PutBody,
  PutOptions,
  Store,
} from "./store.ts";
export { StoreError, type StoreErrorCode } from "./store_error.ts";
export { deleteKeys, type DeleteKeysOptions } from "./delete_keys.ts";
export { parseStoreUrl, type StoreUrl } from "./store_url.ts";
export {
  openStore,
  type OpenStoreOptions,
  registerStoreScheme,
  type StoreFactory,
  storeSchemes,
} from "./open_store.ts";
export { LocalStore, type SweepTempOptions } from "./local_store.ts";
export { MemoryStore, type MemoryStoreOptions } from "./memory_store.ts";
export { type S3Credentials, type S3Options, S3Store, type S3StoreOptions } from "./s3_store.ts";
