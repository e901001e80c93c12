/**
 * {@linkcode deleteKeys}: deletes many keys through a store's batched `deleteMany` when it has
 * one, else one `delete` per key at a bounded concurrency.
 *
 * @module
 */
import type { Store } from "./store.ts";

/** Options for {@linkcode deleteKeys}. */
export interface DeleteKeysOptions {
  /** Deletes at once for a store without `deleteMany`. @default 16 */
  concurrency?: number;
}

/**
 * Deletes `keys` from `store` (absent keys are fine).
 *
 * @example
 * ```ts
 * import { deleteKeys } from "./delete_keys.ts";
 * import { MemoryStore } from "./memory_store.ts";
 * const store = new MemoryStore();
 * await store.put("a/1", "x");
 * await store.put("a/2", "y");
 * await deleteKeys(store, ["a/1", "a/2", "a/absent"]);
 * if (await store.head("a/1") || await store.head("a/2")) throw new Error();
 * ```
 */
export async function deleteKeys(
  store: Store,
  keys: readonly string[],
  options: DeleteKeysOptions = {},
): Promise<void> {
  if (keys.length === 0) return;
  if (store.deleteMany) return await store.deleteMany(keys);
  let next = 0;
  const worker = async () => {
    while (next < keys.length) await store.delete(keys[next++]!);
  };
  const limit = Math.max(1, options.concurrency ?? 16);
  await Promise.all(Array.from({ length: Math.min(limit, keys.length) }, worker));
}
