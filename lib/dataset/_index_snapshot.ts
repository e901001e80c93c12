/**
 * A consistent view of a dataset's index for a reader: the newest generation, the fragments and
 * tombstones beside it. A compaction running meanwhile can delete fragments the reader listed
 * (they are then in a newer generation) or, long after, segments of an old generation: the
 * reader then starts over from the newer generation. It gives up only after
 * {@linkcode SAME_GENERATION_ATTEMPTS} attempts that found no newer generation (so a reader is
 * never starved by compactions: each of them is progress).
 *
 * @module
 */
import type { Store } from "../store/store.ts";
import { StoreError } from "../store/store_error.ts";
import { ManifestError } from "../manifest/manifest_error.ts";
import { mapLimit } from "../util/map_limit.ts";
import type { IndexEntry } from "../manifest/index_entry.ts";
import { type Generation, generationKey, readGeneration } from "./_index_generation.ts";
import {
  type IndexListing,
  listIndex,
  readCompacted,
  readFragment,
  readTombstone,
} from "./_index_io.ts";

/** What a reader sees. */
export interface IndexSnapshot {
  listing: IndexListing;
  /** The newest generation number (0: none). */
  generation: number;
  /** Its segments (this layout). */
  segments?: Generation;
  /** Its entries (a generation of the older layout, one Parquet file). */
  legacyEntries?: IndexEntry[];
  /** Fragments, sorted by name. */
  fragments: IndexEntry[];
  /** Names of removed shards. */
  removed: Set<string>;
}

/** Options of a snapshot read. */
export interface SnapshotOptions {
  /** GETs at once. @default 16 */
  concurrency?: number;
  /** Folder for DuckDB's temp files (legacy generations). */
  tempDir?: string;
}

/** Attempts without a newer generation before a reader gives up. */
export const SAME_GENERATION_ATTEMPTS = 8;

/**
 * Runs `read` on a snapshot of the index until it completes: `read` returns undefined when an
 * object it needed has vanished, and the snapshot is taken again.
 */
export async function withIndexSnapshot<T>(
  store: Store,
  dataset: string,
  options: SnapshotOptions,
  read: (snapshot: IndexSnapshot) => Promise<T | undefined>,
): Promise<T> {
  let lastGeneration = -1;
  let sameGeneration = 0;
  let missing: string | undefined;
  for (;;) {
    const snapshot = await takeSnapshot(store, dataset, options);
    if (snapshot) {
      // An object the read needed gone (a compaction removed it): as undefined, start over.
      const out = await read(snapshot).catch((err) => {
        if (!(err instanceof StoreError && err.code === "not_found")) throw err;
        missing = err.key;
        return undefined;
      });
      // Fragments deleted after the generation was read belong to a newer one: start over.
      if (out !== undefined && !await store.head(generationKey(dataset, snapshot.generation + 1))) {
        return out;
      }
    }
    const gen = snapshot?.generation ?? lastGeneration;
    if (gen > lastGeneration) [lastGeneration, sameGeneration] = [gen, 0];
    if (++sameGeneration >= SAME_GENERATION_ATTEMPTS) {
      throw new ManifestError(
        "index_unreadable",
        `Cannot read the index of "${dataset}": generation ${gen} changed or lost objects ` +
          `during ${SAME_GENERATION_ATTEMPTS} attempts${
            missing ? ` ("${missing}" missing)` : ""
          }; ` +
          `if nothing is compacting it, it is damaged: "index rebuild ${dataset}" rewrites it ` +
          `from the manifests`,
        { path: missing },
      );
    }
  }
}

async function takeSnapshot(
  store: Store,
  dataset: string,
  options: SnapshotOptions,
): Promise<IndexSnapshot | undefined> {
  const listing = await listIndex(store, dataset);
  const generation = listing.generations.at(-1) ?? 0;
  const limit = options.concurrency ?? 16;
  const [base, fragments, removed] = await Promise.all([
    generation === 0
      ? Promise.resolve({})
      : listing.legacy.has(generation)
      ? readCompacted(store, dataset, generation, options.tempDir).then((e) =>
        e && { legacyEntries: e }
      )
      : readGeneration(store, dataset, generation).then((g) => g && { segments: g }),
    mapLimit(listing.fragments, limit, (key) => readFragment(store, dataset, key)),
    mapLimit(listing.tombstones, limit, (key) => readTombstone(store, dataset, key)),
  ]);
  if (!base || fragments.some((f) => f === undefined)) return undefined;
  const sorted = (fragments as IndexEntry[]).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0
  );
  return {
    listing,
    generation,
    ...base,
    fragments: sorted,
    removed: new Set(removed.filter((s): s is string => s !== undefined)),
  };
}
