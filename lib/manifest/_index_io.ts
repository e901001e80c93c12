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
import { BIGINT, DuckDBTimestampTZValue, TIMESTAMPTZ, VARCHAR } from "@duckdb/node-api";
import type { Store } from "../store/store.ts";
import { StoreError } from "../store/store_error.ts";
import { encodeManifestHeader, parseManifestHeader } from "./manifest_header.ts";
import { readManifestParquet } from "./manifest_parquet.ts";
import { parseLenientJson } from "./_read.ts";
import type { IndexEntry } from "./_index_entry.ts";
import { type ColumnSpec, writeParquet } from "./_write_parquet.ts";
import {
  compactedGeneration,
  compactedKey,
  datasetPrefix,
  indexPrefix,
  nameOfIndexItem,
  shardKeyIn,
} from "./_keys.ts";

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
  /** Compacted generations, ascending. */
  generations: number[];
  /** Fragment keys. */
  fragments: string[];
  /** Tombstone keys (shards taken out of the index). */
  tombstones: string[];
}

/** Lists a dataset's index folder. */
export async function listIndex(store: Store, dataset: string): Promise<IndexListing> {
  const prefix = indexPrefix(dataset);
  const generations: number[] = [];
  const fragments: string[] = [];
  const tombstones: string[] = [];
  for await (const info of store.list(prefix)) {
    const gen = compactedGeneration(dataset, info.key);
    if (gen !== undefined) generations.push(gen);
    else if (!info.key.endsWith(".json")) continue;
    else if (info.key.startsWith(`${prefix}shards/`)) fragments.push(info.key);
    else if (info.key.startsWith(`${prefix}removed/`)) tombstones.push(info.key);
  }
  generations.sort((a, b) => a - b);
  return { generations, fragments, tombstones };
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

const ts = (iso: string | null | undefined) => {
  const ms = iso ? Date.parse(iso) : Number.NaN;
  return Number.isNaN(ms) ? null : new DuckDBTimestampTZValue(BigInt(ms) * 1000n);
};

/** Writes generation `gen` create-only; false when that generation already exists. */
export async function writeCompacted(
  store: Store,
  dataset: string,
  gen: number,
  entries: readonly IndexEntry[],
  tempDir?: string,
): Promise<boolean> {
  const h = (i: number) => entries[i]!.header;
  const text = (name: string, f: (i: number) => string | null): ColumnSpec => ({
    name,
    sql: "VARCHAR",
    duck: VARCHAR,
    item: f,
  });
  const int = (name: string, f: (i: number) => number): ColumnSpec => ({
    name,
    sql: "BIGINT",
    duck: BIGINT,
    item: (i) => BigInt(f(i)),
  });
  const time = (name: string, f: (i: number) => string | null | undefined): ColumnSpec => ({
    name,
    sql: "TIMESTAMPTZ",
    duck: TIMESTAMPTZ,
    item: (i) => ts(f(i)),
  });
  const bytes = await writeParquet(
    [
      text("name", (i) => entries[i]!.name),
      text("shard_id", (i) => h(i).shard_id),
      text("schema_type", (i) => h(i).schema_type),
      text("schema_version", (i) => h(i).schema_version),
      int("num_samples", (i) => h(i).num_samples),
      int("size_bytes", (i) => h(i).size_bytes),
      text("checksum_sha256", (i) => h(i).checksum_sha256),
      time("created_at", (i) => h(i).created_at),
      time("time_min", (i) => h(i).time_min),
      time("time_max", (i) => h(i).time_max),
      text("header", (i) => encodeManifestHeader(h(i))),
    ],
    entries.length,
    tempDir,
  );
  try {
    await store.put(compactedKey(dataset, gen), bytes, { ifNoneMatch: "*" });
    return true;
  } catch (err) {
    if (err instanceof StoreError && err.code === "already_exists") return false;
    throw err;
  }
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
