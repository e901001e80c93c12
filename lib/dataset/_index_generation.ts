/**
 * Compacted index generations: `<dataset>/_index/compacted-<gen>.json` lists the segments that
 * make the generation (see `_index_segment.ts`), each stored as files under
 * `<dataset>/_index/segments/<id>.*` named after the generation that wrote them. A generation is
 * written create-only after its new segments, so of two compactions racing from the same
 * generation one wins; the loser deletes the segments it wrote. Generations written before this
 * layout are one Parquet file, `compacted-<gen>.parquet`, read as one base of entries.
 *
 * @module
 */
import type { Store } from "../store/store.ts";
import { StoreError } from "../store/store_error.ts";
import type { EncodedSegment, SegmentInfo, SegmentSummary } from "./_index_segment.ts";
import { indexPrefix } from "../manifest/manifest_keys.ts";

/** The JSON of a generation. */
export interface Generation {
  format: "shardline-index/2";
  generation: number;
  created_at: string;
  /** Its segments; their shards are distinct, each segment sorted by name. */
  segments: SegmentInfo[];
}

/** The key of generation `gen` (this layout). */
export function generationKey(dataset: string, gen: number): string {
  return `${indexPrefix(dataset)}compacted-${String(gen).padStart(8, "0")}.json`;
}

/** The generation number of a generation key of either layout, with its layout. */
export function generationOf(
  dataset: string,
  key: string,
): { gen: number; legacy: boolean } | undefined {
  const m = /^compacted-(\d{8,})\.(json|parquet)$/.exec(key.slice(indexPrefix(dataset).length));
  return m ? { gen: Number(m[1]), legacy: m[2] === "parquet" } : undefined;
}

/** The folder of the segment files. */
export function segmentPrefix(dataset: string): string {
  return `${indexPrefix(dataset)}segments/`;
}

/** The keys of segment `id`'s files. */
export function segmentKeys(dataset: string, id: string) {
  const base = `${segmentPrefix(dataset)}${id}`;
  return {
    columns: `${base}.columns.parquet`,
    headers: `${base}.headers.parquet`,
    summary: `${base}.summary.json`,
    names: `${base}.names.json`,
  };
}

/** The segment id of a segment file key, and the generation that wrote it. */
export function segmentOf(dataset: string, key: string): { id: string; gen: number } | undefined {
  const m = /^(\d{8,})-[0-9a-f]+(?=\.)/.exec(key.slice(segmentPrefix(dataset).length));
  return m ? { id: m[0], gen: Number(m[1]) } : undefined;
}

/** A fresh segment id for generation `gen`. */
export function newSegmentId(gen: number): string {
  const rand = crypto.getRandomValues(new Uint8Array(6));
  return `${String(gen).padStart(8, "0")}-${
    [...rand].map((b) => b.toString(16).padStart(2, "0")).join("")
  }`;
}

/** Stores a segment's files. */
export async function putSegment(
  store: Store,
  dataset: string,
  segment: EncodedSegment,
): Promise<void> {
  const keys = segmentKeys(dataset, segment.info.id);
  await Promise.all([
    store.put(keys.columns, segment.columns),
    store.put(keys.headers, segment.headers),
    store.put(keys.summary, JSON.stringify(segment.summary)),
    store.put(keys.names, segment.names),
  ]);
}

/** Writes a generation create-only; false when that generation exists already. */
export async function putGeneration(
  store: Store,
  dataset: string,
  gen: Generation,
): Promise<boolean> {
  try {
    await store.put(generationKey(dataset, gen.generation), JSON.stringify(gen), {
      ifNoneMatch: "*",
    });
    return true;
  } catch (err) {
    if (err instanceof StoreError && err.code === "already_exists") return false;
    throw err;
  }
}

/** Reads an object; undefined when it is gone. */
export async function getOrUndefined(store: Store, key: string): Promise<Uint8Array | undefined> {
  try {
    return await store.get(key);
  } catch (err) {
    if (err instanceof StoreError && err.code === "not_found") return undefined;
    throw err;
  }
}

/** Reads generation `gen`; undefined when it is gone. */
export async function readGeneration(
  store: Store,
  dataset: string,
  gen: number,
): Promise<Generation | undefined> {
  const bytes = await getOrUndefined(store, generationKey(dataset, gen));
  return bytes ? JSON.parse(new TextDecoder().decode(bytes)) as Generation : undefined;
}

/** Reads a segment's summary; undefined when it is gone. */
export async function readSegmentSummary(
  store: Store,
  dataset: string,
  id: string,
): Promise<SegmentSummary | undefined> {
  const bytes = await getOrUndefined(store, segmentKeys(dataset, id).summary);
  return bytes ? JSON.parse(new TextDecoder().decode(bytes)) as SegmentSummary : undefined;
}
