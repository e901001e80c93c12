/**
 * Reading and writing the pieces of a dataset index: fragments (one JSON per committed shard)
 * and compacted generations (one Parquet file each, a row per shard with the header's scalar
 * fields as typed columns, so DuckDB can query shard headers, and the whole header as JSON).
 *
 * Every piece names its shard relative to the dataset (`"name": "shard-000042.tar"`, column
 * `name`), never by store key, so the index survives moving the dataset. Pieces written before
 * that held the store key (`"shard"`, column `shard`): a fragment's or tombstone's own key names
 * its shard, a compacted row keeps the part after the dataset prefix or, when the dataset has
 * moved since, after the keys' common folder (`index rebuild` rewrites such an index exactly).
 *
 * @module
 */
import type { ObjectInfo, Store } from "../store/store.ts";
import { generationOf } from "./_index_generation.ts";
import { StoreError } from "../store/store_error.ts";
import { parseManifestHeader } from "../manifest/manifest_header.ts";
import { readManifestParquet } from "../manifest/manifest_parquet.ts";
import { parseLenientJson } from "../util/lenient_json.ts";
import type { IndexEntry } from "../manifest/index_entry.ts";
import {
  compactedKey,
  datasetPrefix,
  indexPrefix,
  nameOfIndexItem,
  shardKeyIn,
} from "../manifest/manifest_keys.ts";

/** An entry of `dataset` from its shard name and header. */
function entryOf(dataset: string, name: string, header: object | string): IndexEntry {
  const shard = shardKeyIn(dataset, name);
  return { name, shard, header: parseManifestHeader(header, shard) };
}

/** Reads a fragment of `dataset`; undefined when it is gone (compacted away meanwhile). */
export async function readFragment(
  store: Store,
  dataset: string,
  key: string,
): Promise<IndexEntry | undefined> {
  const bytes = await getOrUndefined(store, key);
  if (!bytes) return undefined;
  const raw = parseLenientJson(new TextDecoder().decode(bytes)) as {
    name?: unknown;
    shard?: unknown;
    header?: object;
  };
  const name = typeof raw.name === "string"
    ? raw.name
    : nameOfIndexItem(dataset, key, String(raw.shard));
  return entryOf(dataset, name, raw.header ?? {});
}

async function getOrUndefined(store: Store, key: string): Promise<Uint8Array | undefined> {
  try {
    return await store.get(key);
  } catch (err) {
    if (err instanceof StoreError && err.code === "not_found") return undefined;
    throw err;
  }
}

/** What a listing of `<dataset>/_index/` found. */
export interface IndexListing {
  /** Compacted generations of either layout, ascending. */
  generations: number[];
  /** The generations written as one Parquet file (the layout before segments). */
  legacy: Set<number>;
  /** Each generation's object (for its age). */
  generationInfo: Map<number, ObjectInfo>;
  /** Fragment keys. */
  fragments: string[];
  /** Tombstone keys (shards taken out of the index). */
  tombstones: string[];
  /** Segment files (`_index/segments/`). */
  segmentFiles: ObjectInfo[];
}

/** Lists a dataset's index folder. */
export async function listIndex(store: Store, dataset: string): Promise<IndexListing> {
  const prefix = indexPrefix(dataset);
  const listing: IndexListing = {
    generations: [],
    legacy: new Set(),
    generationInfo: new Map(),
    fragments: [],
    tombstones: [],
    segmentFiles: [],
  };
  for await (const info of store.list(prefix)) {
    const gen = generationOf(dataset, info.key);
    if (gen !== undefined) {
      listing.generations.push(gen.gen);
      listing.generationInfo.set(gen.gen, info);
      if (gen.legacy) listing.legacy.add(gen.gen);
    } else if (info.key.startsWith(`${prefix}segments/`)) listing.segmentFiles.push(info);
    else if (!info.key.endsWith(".json")) continue;
    else if (info.key.startsWith(`${prefix}shards/`)) listing.fragments.push(info.key);
    else if (info.key.startsWith(`${prefix}removed/`)) listing.tombstones.push(info.key);
  }
  listing.generations = [...new Set(listing.generations)].sort((a, b) => a - b);
  return listing;
}

/** The name of the shard a tombstone removes; undefined when the tombstone is gone. */
export async function readTombstone(
  store: Store,
  dataset: string,
  key: string,
): Promise<string | undefined> {
  const bytes = await getOrUndefined(store, key);
  if (!bytes) return undefined;
  const raw = JSON.parse(new TextDecoder().decode(bytes)) as { name?: unknown; shard?: unknown };
  return typeof raw.name === "string" ? raw.name : nameOfIndexItem(dataset, key, String(raw.shard));
}

/**
 * The entries of an index: a generation's, overridden by fragments (a fragment is never older
 * than a generation entry of the same shard: a shard is re-committed only after its removal),
 * minus the removed shards (by name); sorted by name.
 */
export function mergeEntries(
  base: readonly IndexEntry[],
  fragments: readonly IndexEntry[],
  removed: ReadonlySet<string>,
): IndexEntry[] {
  const byName = new Map<string, IndexEntry>();
  for (const e of base) byName.set(e.name, e);
  for (const e of fragments) byName.set(e.name, e);
  for (const name of removed) byName.delete(name);
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Reads generation `gen`; undefined when it is gone (superseded and removed meanwhile). */
export async function readCompacted(
  store: Store,
  dataset: string,
  gen: number,
  tempDir?: string,
): Promise<IndexEntry[] | undefined> {
  const bytes = await getOrUndefined(store, compactedKey(dataset, gen));
  if (!bytes) return undefined;
  const { rows } = await readManifestParquet(bytes, { tempDir });
  const legacy = rows.length > 0 && typeof rows[0]!.name !== "string";
  const names = legacy
    ? legacyNames(dataset, rows.map((r) => String(r.shard)))
    : rows.map((r) => String(r.name));
  return rows.map((row, i) => entryOf(dataset, names[i]!, String(row.header)));
}

/**
 * Shard names of a generation written with store keys: the part after the dataset prefix; when
 * the dataset has moved since, the part after the keys' common folder.
 */
function legacyNames(dataset: string, stored: string[]): string[] {
  const prefix = datasetPrefix(dataset);
  if (prefix && stored.every((k) => k.startsWith(prefix))) {
    return stored.map((k) => k.slice(prefix.length));
  }
  let common = stored[0]!.slice(0, stored[0]!.lastIndexOf("/") + 1);
  for (const k of stored) while (!k.startsWith(common)) common = commonParent(common);
  return stored.map((k) => k.slice(common.length));
}

/** `"a/b/"` -> `"a/"`, `"a/"` -> `""`. */
function commonParent(folder: string): string {
  return folder.slice(0, folder.slice(0, -1).lastIndexOf("/") + 1);
}
