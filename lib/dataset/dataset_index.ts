/**
 * {@linkcode readIndex}: the rolled-up index of a dataset, every committed shard's header and
 * aggregates, read without listing or opening the shards.
 *
 * Layout and protocol (safe when many tasks commit and compact at once):
 *
 * - Committing shard `X.tar` writes `<dataset>/_index/shards/X.json` (create-only) right after
 *   `X.manifest.json`: one fragment per shard, so committers never contend.
 * - {@linkcode compactIndex} folds the newest generation and the fragments into generation
 *   `n + 1`, `<dataset>/_index/compacted-<n+1>.json` (the list of its columnar segments, see
 *   `compact_index.ts`), written create-only after its new segments: of two compactions racing
 *   from generation `n`, one wins, the other deletes only what it wrote. Each generation thus
 *   contains its predecessor, and the winner deletes only the fragments it included.
 *   Generations of the older layout (one `compacted-<n>.parquet`) are still read.
 * - {@linkcode readIndex} = newest generation, overridden by the fragments, minus tombstones. If
 *   a generation, segment or fragment it listed vanishes, or a newer generation appears while it
 *   lists, it starts over from the newer one (it gives up only after 8 tries without a newer
 *   generation). So it is always current: a shard is visible as soon as its fragment exists.
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
import { checkName, checkStore } from "../util/mod.ts";
import { datasetNotFound } from "./dataset_not_found.ts";
import type { Store } from "../store/store.ts";
import { mergeEntries } from "./_index_io.ts";
import type { IndexEntry } from "../manifest/index_entry.ts";
import { mapLimit } from "../util/map_limit.ts";
import { type IndexSnapshot, withIndexSnapshot } from "./_index_snapshot.ts";
import { readSegmentEntries, scanSegmentEntries } from "./_index_entries.ts";

export type { IndexEntry } from "../manifest/index_entry.ts";

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
  /** Objects read at once (fragments, segments). @default 16 */
  concurrency?: number;
  /** Folder for DuckDB's temp files. @default a private temp folder */
  tempDir?: string;
}

/**
 * Reads a dataset's index (compacted generation plus newer fragments). Throws
 * {@linkcode ManifestError} `"not_found"` when nothing is stored under the dataset (the message
 * names the datasets beside it); an existing dataset without committed shards reads as empty.
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
  checkStore(store, "readIndex");
  checkName(dataset, "readIndex", "dataset");
  const index = await withIndexSnapshot(store, dataset, options, async (snap) => {
    const base = await baseEntries(store, dataset, snap, options.concurrency ?? 16);
    if (!base) return undefined;
    const entries = mergeEntries(base, snap.fragments, snap.removed);
    return { dataset, generation: snap.generation, fragments: snap.fragments.length, entries };
  });
  // An empty index: say so when the dataset does not exist at all (a typo), naming its siblings.
  if (index.entries.length === 0) {
    const missing = await datasetNotFound(store, dataset);
    if (missing) throw missing;
  }
  return index;
}

async function baseEntries(
  store: Store,
  dataset: string,
  snap: IndexSnapshot,
  limit: number,
): Promise<IndexEntry[] | undefined> {
  if (!snap.segments) return snap.legacyEntries ?? [];
  const parts = await mapLimit(
    snap.segments.segments,
    Math.max(1, Math.min(limit, 4)),
    (info) => readSegmentEntries(store, dataset, info.id),
  );
  if (parts.some((p) => p === undefined)) return undefined;
  return (parts as IndexEntry[][]).flat();
}

/**
 * Streams a dataset's index entries batch by batch as the segments are read (a segment's batch
 * sorted by name; segments, then the fragments), without holding the whole index: what a
 * caller that folds entries (counts, checks) needs. Each shard once, removed shards left out.
 * Throws if a segment is deleted while the scan runs (compactions keep superseded segments for
 * their `retainMs`, ten minutes by default).
 *
 * @example
 * ```ts
 * import { scanIndex } from "./dataset_index.ts";
 * import { MemoryStore } from "../store/memory_store.ts";
 * let shards = 0;
 * for await (const batch of scanIndex(new MemoryStore(), "ds")) shards += batch.length;
 * if (shards !== 0) throw new Error();
 * ```
 */
export async function* scanIndex(
  store: Store,
  dataset: string,
  options: ReadIndexOptions = {},
): AsyncGenerator<IndexEntry[]> {
  const snap = await withIndexSnapshot(store, dataset, options, (s) => Promise.resolve(s));
  const newer = new Set(snap.fragments.map((e) => e.name));
  const live = (e: IndexEntry) => !snap.removed.has(e.name);
  if (snap.legacyEntries) {
    yield snap.legacyEntries.filter((e) => live(e) && !newer.has(e.name));
  }
  for (const info of snap.segments?.segments ?? []) {
    const scan = await scanSegmentEntries(store, dataset, info.id);
    if (!scan) {
      throw new Error(`Cannot scan the index of "${dataset}": segment ${info.id} was deleted`);
    }
    for await (const batch of scan) yield batch.filter((e) => live(e) && !newer.has(e.name));
  }
  yield snap.fragments.filter(live);
}
