/**
 * {@linkcode removeFromIndex}: takes a shard out of its dataset's index, e.g. before a task that
 * failed half-way deletes its outputs, so that no index entry outlives a deleted manifest.
 *
 * @module
 */
import type { Store } from "../store/store.ts";
import { dirname, fragmentKey, shardName, tombstoneKey } from "../manifest/manifest_keys.ts";

/** Options for {@linkcode removeFromIndex}. */
export interface RemoveFromIndexOptions {
  /** The dataset whose index lists the shard. @default the shard's folder */
  dataset?: string;
}

/**
 * Writes the tombstone of shard `shard` (its store key; the tombstone names it relative to the
 * dataset: `<dataset>/_index/removed/X.json`), then deletes its fragment:
 * `readIndex` no longer lists it, even if a compacted generation does, and the next compaction
 * drops it for good. Committing the shard again brings it back. Idempotent.
 *
 * Remove a shard from the index before deleting its `.manifest.json` and data. Throws a
 * `RangeError` when the shard lies outside the dataset's folder.
 *
 * @example
 * ```ts
 * import { removeFromIndex } from "./remove_from_index.ts";
 * import { readIndex } from "./dataset_index.ts";
 * import { MemoryStore } from "../store/memory_store.ts";
 * const store = new MemoryStore();
 * await removeFromIndex(store, "ds/shard-000003.tar");
 * if ((await readIndex(store, "ds")).entries.length !== 0) throw new Error("unexpected");
 * ```
 */
export async function removeFromIndex(
  store: Store,
  shard: string,
  options: RemoveFromIndexOptions = {},
): Promise<void> {
  const dataset = options.dataset ?? dirname(shard);
  await store.put(
    tombstoneKey(dataset, shard),
    JSON.stringify({ name: shardName(dataset, shard), removed_at: new Date().toISOString() }),
    {
      contentType: "application/json",
    },
  );
  await store.delete(fragmentKey(dataset, shard));
}
