/**
 * Reading and writing the JSON records of a job.
 *
 * @module
 */
import type { Store } from "../store/store.ts";
import { StoreError } from "../store/store_error.ts";

/** Attempts at reading a record that does not parse before giving up. */
const PARSE_ATTEMPTS = 3;

/**
 * Reads and parses a JSON object, or `undefined` when it does not exist.
 *
 * Heartbeat records are overwritten while others read them. R2 and S3 replace objects
 * atomically, but some S3-compatible servers (s3rver, used in the tests) can serve a torn copy
 * during an overwrite: a record that does not parse is read again, a few times, before the
 * error is thrown with its key.
 */
export async function readJson<T>(store: Store, key: string): Promise<T | undefined> {
  for (let attempt = 1;; attempt++) {
    let bytes: Uint8Array;
    try {
      bytes = await store.get(key);
    } catch (err) {
      if (err instanceof StoreError && err.code === "not_found") return undefined;
      if ((err as { code?: string })?.code === "not_found") return undefined;
      throw err;
    }
    try {
      return JSON.parse(new TextDecoder().decode(bytes)) as T;
    } catch (err) {
      if (attempt >= PARSE_ATTEMPTS) {
        throw new SyntaxError(`Cannot parse job record "${key}": ${(err as Error).message}`, {
          cause: err,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}

/**
 * Writes a JSON record. With `createOnly`, resolves `false` instead of overwriting an existing
 * record.
 */
export async function writeJson(
  store: Store,
  key: string,
  value: unknown,
  options: { createOnly?: boolean } = {},
): Promise<boolean> {
  const body = JSON.stringify(value, null, 1) + "\n";
  try {
    await store.put(key, body, {
      contentType: "application/json",
      ...(options.createOnly ? { ifNoneMatch: "*" as const } : {}),
    });
    return true;
  } catch (err) {
    if (options.createOnly && (err as { code?: string })?.code === "already_exists") return false;
    throw err;
  }
}

/** The names of the JSON records right under `prefix` (`<prefix><name>.json`): task ids. */
export async function listNames(store: Store, prefix: string): Promise<Set<string>> {
  const names = new Set<string>();
  for await (const info of store.list(prefix)) {
    const name = info.key.slice(prefix.length);
    if (name.endsWith(".json")) names.add(name.slice(0, -5));
  }
  return names;
}
