/**
 * The store a `task` job function gets: every read goes through, puts and deletes only under
 * the job's output dataset (private to the job room).
 *
 * @module
 */
import type { Store } from "../store/store.ts";
import { StoreError } from "../store/store_error.ts";

/**
 * `store`, writable only under `<output>/`. A new object holding closures: the job code sees
 * these methods, never the store object behind them (nor, for S3, its client and credentials).
 */
export function outputOnlyStore(store: Store, output: string): Store {
  const prefix = `${output.replace(/\/+$/, "")}/`;
  const check = (key: string, what: string) => {
    if (!key.startsWith(prefix) || key.split("/").some((s) => s === ".." || s === ".")) {
      throw new StoreError(
        "invalid_key",
        `Cannot ${what} "${key}": a task job writes only under its output "${prefix}"`,
        { key, url: store.url },
      );
    }
  };
  return {
    url: store.url,
    get: (key, options) => store.get(key, options),
    getStream: (key, options) => store.getStream(key, options),
    head: (key) => store.head(key),
    list: (p, options) => store.list(p, options),
    put: async (key, body, options) => {
      check(key, "write");
      await store.put(key, body, options);
    },
    delete: async (key) => {
      check(key, "delete");
      await store.delete(key);
    },
  };
}
