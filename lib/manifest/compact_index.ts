/**
 * {@linkcode compactIndex}: folds a dataset's index fragments into a new compacted generation
 * (see `dataset_index.ts` for the protocol and why it is safe under concurrency).
 *
 * @module
 */
import type { Store } from "../store/store.ts";
import {
  type IndexListing,
  listIndex,
  mergeEntries,
  readCompacted,
  readFragment,
  readTombstone,
  writeCompacted,
} from "./_index_io.ts";
import type { IndexEntry } from "./_index_entry.ts";
import { mapLimit } from "./_pool.ts";
import { compactedKey } from "./_keys.ts";

/** Options for {@linkcode compactIndex}. */
export interface CompactIndexOptions {
  /** Objects read or deleted at once. @default 16 */
  concurrency?: number;
  /** Folder for DuckDB's temp files. @default a private temp folder */
  tempDir?: string;
}

/** What a compaction did. */
export interface CompactIndexResult {
  /** The generation written, or the newest one when nothing was written. */
  generation: number;
  /** False when nothing was written: no new fragments, or another compaction won the race. */
  written: boolean;
  /** Shards in the generation written. */
  shards: number;
  /** Fragments folded in and deleted. */
  fragmentsRemoved: number;
}

/**
 * Compacts a dataset's index: generation `n + 1` = generation `n` overridden by the fragments,
 * minus tombstones, written create-only; then deletes the fragments and tombstones it included
 * and generations older than `n`.
 *
 * @example
 * ```ts
 * import { compactIndex } from "./compact_index.ts";
 * import { MemoryStore } from "../store/memory_store.ts";
 * const result = await compactIndex(new MemoryStore(), "ds");
 * if (result.generation !== 1 || result.shards !== 0) throw new Error("unexpected");
 * ```
 */
export async function compactIndex(
  store: Store,
  dataset: string,
  options: CompactIndexOptions = {},
): Promise<CompactIndexResult> {
  const listing = await listIndex(store, dataset);
  const current = listing.generations.at(-1) ?? 0;
  let base: IndexEntry[] = [];
  if (current > 0) {
    const entries = await readCompacted(store, dataset, current, options.tempDir);
    if (!entries) return { generation: current, written: false, shards: 0, fragmentsRemoved: 0 };
    base = entries;
  }
  if (current > 0 && listing.fragments.length === 0 && listing.tombstones.length === 0) {
    return { generation: current, written: false, shards: base.length, fragmentsRemoved: 0 };
  }
  const limit = options.concurrency ?? 16;
  const fragments = await mapLimit(
    listing.fragments,
    limit,
    (key) => readFragment(store, dataset, key),
  );
  const removed = await mapLimit(
    listing.tombstones,
    limit,
    (key) => readTombstone(store, dataset, key),
  );
  const entries = mergeEntries(
    base,
    fragments.filter((f): f is IndexEntry => f !== undefined),
    new Set(removed.filter((s): s is string => s !== undefined)),
  );
  return await commitGeneration(store, dataset, listing, entries, options);
}

/**
 * Writes generation `current + 1` with `entries`, then removes the listed fragments and old
 * generations. Shared by {@linkcode compactIndex} and `rebuildIndex`.
 */
export async function commitGeneration(
  store: Store,
  dataset: string,
  listing: IndexListing,
  entries: IndexEntry[],
  options: CompactIndexOptions,
): Promise<CompactIndexResult> {
  const current = listing.generations.at(-1) ?? 0;
  const next = current + 1;
  entries = mergeEntries(entries, [], new Set());
  if (!await writeCompacted(store, dataset, next, entries, options.tempDir)) {
    return { generation: current, written: false, shards: 0, fragmentsRemoved: 0 };
  }
  const limit = options.concurrency ?? 16;
  await mapLimit([...listing.fragments, ...listing.tombstones], limit, (key) => store.delete(key));
  // Keep the predecessor for readers that listed it a moment ago; older ones go.
  const stale = listing.generations.filter((g) => g < current);
  await mapLimit(stale, limit, (g) => store.delete(compactedKey(dataset, g)));
  return {
    generation: next,
    written: true,
    shards: entries.length,
    fragmentsRemoved: listing.fragments.length,
  };
}
