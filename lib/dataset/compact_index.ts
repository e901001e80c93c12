/**
 * {@linkcode compactIndex}: folds a dataset's index fragments into a new compacted generation
 * (see `dataset_index.ts` for the protocol and why it is safe under concurrency).
 *
 * A generation is a list of segments (log-structured): a compaction writes the new fragments as
 * one new segment and keeps the others as they are, so it costs in proportion to the new
 * fragments. Segments merge like a binary counter: while the newest segment holds at least as
 * many shards as the one before it (or there are more than `maxSegments`), the two become one;
 * a dataset of `n` shards thus has about `log2(n / batch)` segments and each shard is rewritten
 * about that many times over its life. A removed or re-committed shard rewrites the one segment
 * that holds it.
 *
 * @module
 */
import type { Store } from "../store/store.ts";
import { deleteKeys } from "../store/delete_keys.ts";
import { type IndexListing, listIndex, mergeEntries, readCompacted } from "./_index_io.ts";
import { readFragment, readTombstone } from "./_index_io.ts";
import type { IndexEntry } from "../manifest/index_entry.ts";
import { mapLimit } from "../util/map_limit.ts";
import { compactedKey } from "../manifest/manifest_keys.ts";
import { type EncodedSegment, encodeSegment, type SegmentInfo } from "./_index_segment.ts";
import {
  type Generation,
  generationKey,
  newSegmentId,
  putGeneration,
  putSegment,
  readGeneration,
  segmentKeys,
  segmentOf,
} from "./_index_generation.ts";
import { readSegmentEntries } from "./_index_entries.ts";

/** Options for {@linkcode compactIndex}. */
export interface CompactIndexOptions {
  /** Objects read or deleted at once. @default 16 */
  concurrency?: number;
  /** Folder for DuckDB's temp files (reading a generation of the older layout). */
  tempDir?: string;
  /** Segments a generation keeps at most; past it the newest two merge. @default 16 */
  maxSegments?: number;
  /**
   * Superseded generations and segments are deleted once their successor is this old (ms), so
   * that a reader that listed them a moment ago still finds them. @default 600000
   */
  retainMs?: number;
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
 * and what older generations alone referenced (once `retainMs` old).
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
  const nothing = (shards: number) => ({
    generation: current,
    written: false,
    shards,
    fragmentsRemoved: 0,
  });
  let legacy: IndexEntry[] | undefined;
  let base: Generation | undefined;
  if (current > 0) {
    if (listing.legacy.has(current)) {
      legacy = await readCompacted(store, dataset, current, options.tempDir);
    } else base = await readGeneration(store, dataset, current);
    if (!legacy && !base) return nothing(0);
    if (listing.fragments.length === 0 && listing.tombstones.length === 0) {
      return nothing(legacy?.length ?? base!.segments.reduce((a, s) => a + s.rows, 0));
    }
  }
  const limit = options.concurrency ?? 16;
  const [fragments, removed] = await Promise.all([
    mapLimit(listing.fragments, limit, (key) => readFragment(store, dataset, key)),
    mapLimit(listing.tombstones, limit, (key) => readTombstone(store, dataset, key)),
  ]);
  const removedSet = new Set(removed.filter((s): s is string => s !== undefined));
  const fresh = mergeEntries(
    legacy ?? [],
    fragments.filter((f): f is IndexEntry => f !== undefined),
    removedSet,
  );
  const next = current + 1;
  const segments: Segment[] = [];
  if (base) {
    const touched = new Set([...fresh.map((e) => e.name), ...removedSet]);
    for (const info of base.segments) {
      if (!mayHold(info, touched)) segments.push({ info });
      else {
        const entries = await readSegmentEntries(store, dataset, info.id);
        if (!entries) return nothing(0); // superseded and deleted meanwhile: another compaction won
        const kept = entries.filter((e) => !touched.has(e.name));
        if (kept.length === entries.length) segments.push({ info });
        else if (kept.length > 0) segments.push(encoded(next, kept));
      }
    }
  }
  if (fresh.length > 0) segments.push(encoded(next, fresh));
  await mergeTail(store, dataset, next, segments, options.maxSegments ?? 16);
  return await commit(store, dataset, listing, next, segments, options);
}

/**
 * Writes generation `current + 1` holding exactly `entries` (one segment), then removes the
 * listed fragments and what older generations alone referenced. Used by `rebuildIndex`.
 */
export async function commitGeneration(
  store: Store,
  dataset: string,
  listing: IndexListing,
  entries: IndexEntry[],
  options: CompactIndexOptions,
): Promise<CompactIndexResult> {
  const next = (listing.generations.at(-1) ?? 0) + 1;
  const segments = [encoded(next, mergeEntries(entries, [], new Set()))];
  return await commit(store, dataset, listing, next, segments, options);
}

/** A segment of the generation being written: kept as it is, or new (with its entries). */
interface Segment {
  info: SegmentInfo;
  encoded?: EncodedSegment;
  entries?: IndexEntry[];
}

function encoded(gen: number, entries: IndexEntry[]): Segment {
  const e = encodeSegment(newSegmentId(gen), entries);
  return { info: e.info, encoded: e, entries };
}

/** Whether a name of `touched` falls within the segment's name range. */
function mayHold(info: SegmentInfo, touched: ReadonlySet<string>): boolean {
  for (const name of touched) if (name >= info.first && name <= info.last) return true;
  return false;
}

/** Merges the newest two segments while the newest is as large, or while there are too many. */
async function mergeTail(
  store: Store,
  dataset: string,
  gen: number,
  segments: Segment[],
  maxSegments: number,
): Promise<void> {
  while (segments.length >= 2) {
    const [a, b] = segments.slice(-2) as [Segment, Segment];
    if (a.info.rows > b.info.rows && segments.length <= maxSegments) break;
    const entriesOf = async (s: Segment) =>
      s.entries ?? await readSegmentEntries(store, dataset, s.info.id) ?? [];
    const merged = mergeEntries(await entriesOf(a), await entriesOf(b), new Set());
    segments.splice(-2, 2, encoded(gen, merged));
  }
}

async function commit(
  store: Store,
  dataset: string,
  listing: IndexListing,
  next: number,
  segments: Segment[],
  options: CompactIndexOptions,
): Promise<CompactIndexResult> {
  const current = next - 1;
  const fresh = segments.filter((s) => s.encoded);
  await Promise.all(fresh.map((s) => putSegment(store, dataset, s.encoded!)));
  const generation: Generation = {
    format: "shardline-index/2",
    generation: next,
    created_at: new Date().toISOString(),
    segments: segments.map((s) => s.info),
  };
  if (!await putGeneration(store, dataset, generation)) {
    // Another compaction won: what this one wrote is referenced by nothing.
    await deleteKeys(store, fresh.flatMap((s) => Object.values(segmentKeys(dataset, s.info.id))));
    return { generation: current, written: false, shards: 0, fragmentsRemoved: 0 };
  }
  await deleteKeys(store, [...listing.fragments, ...listing.tombstones], options);
  await collectGarbage(store, dataset, listing, generation, options.retainMs ?? 600_000);
  return {
    generation: next,
    written: true,
    shards: segments.reduce((a, s) => a + s.info.rows, 0),
    fragmentsRemoved: listing.fragments.length,
  };
}

/**
 * Deletes generations older than the predecessor of `written`, and segments that neither it nor
 * its predecessor lists, once the generation that superseded them is `retainMs` old (a reader
 * that listed them meanwhile restarts from a newer generation if they go).
 */
async function collectGarbage(
  store: Store,
  dataset: string,
  listing: IndexListing,
  written: Generation,
  retainMs: number,
): Promise<void> {
  const now = Date.now();
  const current = written.generation - 1;
  /** Whether generation `g` superseded its predecessors at least `retainMs` ago. */
  const settled = (g: number) => {
    const at = listing.generationInfo.get(g)?.lastModified?.getTime();
    return retainMs === 0 || at === undefined || now - at >= retainMs;
  };
  const stale = listing.generations.filter((g) => g < current && settled(g + 1));
  const keys = stale.map((g) =>
    listing.legacy.has(g) ? compactedKey(dataset, g) : generationKey(dataset, g)
  );
  if (current > 0 && settled(current)) {
    const keep = new Set(written.segments.map((s) => s.id));
    const predecessor = listing.legacy.has(current)
      ? undefined
      : await readGeneration(store, dataset, current);
    for (const s of predecessor?.segments ?? []) keep.add(s.id);
    for (const info of listing.segmentFiles) {
      const seg = segmentOf(dataset, info.key);
      // Segments of a generation after `current` belong to a compaction racing this one.
      if (seg && !keep.has(seg.id) && seg.gen <= current) keys.push(info.key);
    }
  }
  await deleteKeys(store, keys);
}
