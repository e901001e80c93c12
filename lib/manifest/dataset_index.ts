/**
 * {@linkcode readIndex}: the rolled-up index of a dataset, every committed shard's header and
 * aggregates, read without listing or opening the shards.
 *
 * Layout and protocol (safe when many tasks commit and compact at once):
 *
 * - Committing shard `X.tar` writes `<dataset>/_index/shards/X.json` (create-only) right after
 *   `X.manifest.json`: one fragment per shard, so committers never contend.
 * - {@linkcode compactIndex} folds the newest generation and the fragments into generation
 *   `n + 1`, `<dataset>/_index/compacted-<n+1>.parquet`, written create-only: of two compactions
 *   racing from generation `n`, one wins, the other gives up and deletes nothing. Each generation
 *   thus contains its predecessor, and the winner deletes only the fragments it included.
 * - {@linkcode readIndex} = newest generation, overridden by the fragments, minus tombstones. If
 *   a generation or fragment it listed vanishes, or a newer generation appears while it lists,
 *   it starts over. So it is always current: a shard is visible as soon as its fragment exists.
 * - {@linkcode removeFromIndex} takes a shard out (a tombstone `_index/removed/X.json`, then the
 *   fragment goes); compaction applies and clears tombstones; re-committing the shard clears its
 *   tombstone before writing the new fragment.
 *
 * Create-only puts are race-free on the local store and on R2/S3; s3rver ignores them (tests).
 *
 * Fragments, tombstones and generations name shards relative to the dataset (`shard-000042.tar`),
 * so the index stays valid when the dataset is copied or moved, or opened from another store
 * root; {@linkcode readIndex} gives each entry's store key in the store it was read from too.
 *
 * @module
 */
import type { Store } from "../store/store.ts";
import {
  listIndex,
  mergeEntries,
  readCompacted,
  readFragment,
  readTombstone,
} from "./_index_io.ts";
import type { IndexEntry } from "./_index_entry.ts";
import { mapLimit } from "./_pool.ts";
import { compactedKey } from "./_keys.ts";

export type { IndexEntry } from "./_index_entry.ts";

/** A dataset's index as read. */
export interface DatasetIndex {
  dataset: string;
  /** The compacted generation it started from (0: none). */
  generation: number;
  /** Fragments read on top of the generation (uncompacted commits). */
  fragments: number;
  /**
   * One entry per committed shard, sorted by name: `name` relative to the dataset (as stored),
   * `shard` its store key in `store` (`<dataset>/<name>`).
   */
  entries: IndexEntry[];
}

/** Options for {@linkcode readIndex}. */
export interface ReadIndexOptions {
  /** Fragments read at once. @default 16 */
  concurrency?: number;
  /** Folder for DuckDB's temp files. @default a private temp folder */
  tempDir?: string;
}

const ATTEMPTS = 8;

/**
 * Reads a dataset's index (compacted generation plus newer fragments).
 *
 * @example
 * ```ts
 * import { readIndex } from "./dataset_index.ts";
 * import { MemoryStore } from "../store/memory_store.ts";
 * import { writeShards } from "./write_shards.ts";
 * import { defineSchema, f } from "../schema/mod.ts";
 * const store = new MemoryStore();
 * const S = defineSchema({ name: "S", version: "1.0.0", fields: { label: f.str() } });
 * await writeShards(store, "a/ds/shard-%06d.tar", [{ __key__: "x", label: "cat" }], { schema: S });
 * const [entry] = (await readIndex(store, "a/ds")).entries;
 * if (entry?.name !== "shard-000000.tar" || entry.shard !== "a/ds/shard-000000.tar") throw new Error();
 * ```
 */
export async function readIndex(
  store: Store,
  dataset: string,
  options: ReadIndexOptions = {},
): Promise<DatasetIndex> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const read = await tryReadIndex(store, dataset, options);
    if (read) return read;
  }
  throw new Error(
    `Cannot read the index of "${dataset}": it kept changing during ${ATTEMPTS} attempts`,
  );
}

async function tryReadIndex(
  store: Store,
  dataset: string,
  options: ReadIndexOptions,
): Promise<DatasetIndex | undefined> {
  const listing = await listIndex(store, dataset);
  const generation = listing.generations.at(-1) ?? 0;
  let base: IndexEntry[] = [];
  if (generation > 0) {
    const entries = await readCompacted(store, dataset, generation, options.tempDir);
    if (!entries) return undefined;
    base = entries;
  }
  const limit = options.concurrency ?? 16;
  const fragments = await mapLimit(
    listing.fragments,
    limit,
    (key) => readFragment(store, dataset, key),
  );
  if (fragments.some((f) => f === undefined)) return undefined;
  const removed = await mapLimit(
    listing.tombstones,
    limit,
    (key) => readTombstone(store, dataset, key),
  );
  // Fragments deleted after the generation was listed belong to a newer generation: start over.
  if (await store.head(compactedKey(dataset, generation + 1))) return undefined;
  const removedSet = new Set(removed.filter((s): s is string => s !== undefined));
  const entries = mergeEntries(base, fragments as IndexEntry[], removedSet);
  return { dataset, generation, fragments: fragments.length, entries };
}
