/**
 * What a query reads of a dataset's index, behind one function: the columns pruning runs over
 * ({@linkcode IndexColumns}, from `readIndexColumns`: only the fields the `where` names), the
 * field catalog and the fields of each schema version (from one manifest header per schema
 * version present, one GET each), the store keys of each shard's Parquet manifest, and their
 * versions, which key the local manifest cache and a view's hash: the sha256 the header records
 * (an index column), else a HEAD of the Parquet (ETag, size and time, hashed).
 *
 * What is read from the index is kept per store, dataset, fields and skipped parts, and reused
 * while a listing of `<dataset>/_index/` (one LIST) still shows the same objects with the same
 * size, ETag and time: every index change (a fragment, tombstone, generation or segment) is a
 * new, changed or removed object there (fragments and generations are create-only; a shard
 * re-committed is a removed then a created fragment). A miss is cached only when the listings
 * taken before and after its read agree. This saves re-reading the segments' columns on every
 * query: `bench/query.ts`, selective query. Parquet versions (HEADs) are never reused.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { type ManifestHeader, readManifest } from "../manifest/mod.ts";
import {
  datasetNotFound,
  type IndexColumns,
  type IndexColumnsPart,
  readIndexColumns,
  type ReadIndexColumnsOptions,
} from "../dataset/mod.ts";
import type { ManifestField } from "../schema/mod.ts";
import type { Store } from "../store/mod.ts";
import { type FieldCatalog, fieldCatalog } from "./field_catalog.ts";
import { QueryError } from "./query_error.ts";

/** A dataset's index as a query reads it. */
export interface QueryIndex {
  cols: IndexColumns;
  catalog: FieldCatalog;
  /** Store key of each shard's tar. */
  shard: string[];
  /** Store key of each shard's `.manifest.parquet`. */
  parquetKey: string[];
  /** 1 where the shard's `__offset__` values are real tar offsets. */
  exactOffsets: Uint8Array;
  /** Per shard, 1 where its schema version certainly lacks `field` (every row null). */
  lacks(field: string): Uint8Array;
  /** Per shard, 1 where its Parquet may hold a column `field`. */
  mayHave(field: string): Uint8Array;
  /**
   * The versions of shards' Parquet manifests (hex; from a HEAD of each, memoized), in the
   * order asked. Rejects with `not_found` when one is absent.
   */
  versions(shards: readonly number[], concurrency: number): Promise<string[]>;
  /**
   * The newest schema the shards were written with (the last header listing its fields), all
   * fields made nullable: what a view of several versions writes.
   */
  schema: { name: string; version: string; manifestFields: ManifestField[] };
  /** Time spent reading, ms. */
  readMs: number;
}

/**
 * Reads the index of `dataset` for a query over `fields` (the columns pruning needs; every
 * field when undefined). Rejects with `not_found` when the dataset has no shard.
 */
export async function readQueryIndex(
  store: Store,
  dataset: string,
  fields: readonly string[] | undefined,
  options: {
    skip?: readonly IndexColumnsPart[];
    /** Per categorical field, only these values' counts (see `readIndexColumns`). */
    values?: Readonly<Record<string, readonly string[]>>;
  } = {},
): Promise<QueryIndex> {
  const start = performance.now();
  const id = JSON.stringify([
    dataset,
    fields ? [...new Set(fields)].sort() : null,
    [...new Set(options.skip ?? [])].sort(),
    Object.entries(options.values ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)),
  ]);
  let known = cached.get(store);
  if (!known) cached.set(store, known = new Map());
  const before = await listingOf(store, dataset);
  let core = known.get(id);
  if (core?.listing === before) {
    known.delete(id), known.set(id, core); // most recent last
  } else {
    known.delete(id);
    core = await readCore(store, dataset, fields, options, before);
    if (await listingOf(store, dataset) === before) {
      known.set(id, core);
      if (known.size > 16) known.delete(known.keys().next().value!);
    }
  }
  return withVersions(store, core, performance.now() - start);
}

/** What a query reads of the index, minus the Parquet versions. */
type Core = Omit<QueryIndex, "versions" | "readMs"> & { listing: string };

const cached = new WeakMap<Store, Map<string, Core>>();

/** Every object under `<dataset>/_index/`: key, size, ETag and time, one per line. */
async function listingOf(store: Store, dataset: string): Promise<string> {
  const lines: string[] = [];
  for await (const o of store.list(`${dataset ? `${dataset}/` : ""}_index/`)) {
    lines.push(
      `${o.key}\u0000${o.size}\u0000${o.etag ?? ""}\u0000${o.lastModified?.getTime() ?? ""}`,
    );
  }
  return lines.sort().join("\n");
}

async function readCore(
  store: Store,
  dataset: string,
  fields: readonly string[] | undefined,
  options: Pick<ReadIndexColumnsOptions, "skip" | "values">,
  listing: string,
): Promise<Core> {
  const cols = await readIndexColumns(store, dataset, { ...options, fields });
  if (cols.length === 0) {
    // A dataset with nothing stored: name the datasets beside it.
    const missing = await datasetNotFound(store, dataset);
    if (missing) throw new QueryError("not_found", missing.message, { cause: missing });
    throw new QueryError("not_found", `Dataset "${dataset}" has no indexed shard`);
  }
  const n = cols.length;
  const shard = cols.name.map((name) => `${dataset}/${name}`);
  // One header per schema version: its fields, its manifest version.
  const versionOf = new Map<string, number>();
  const reps: number[] = [];
  const version = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const id = `${cols.schema_type[i]}\u0000${cols.schema_version[i]}`;
    let v = versionOf.get(id);
    if (v === undefined) versionOf.set(id, v = reps.push(i) - 1);
    version[i] = v;
  }
  const headers: ManifestHeader[] = await Promise.all(
    reps.map(async (i) => (await readManifest(store, shard[i]!, { rows: false })).header),
  );
  const catalog = fieldCatalog(headers);
  const sets = headers.map((h) => ({
    fields: new Set(h.fields ? h.fields.map((f) => f.name) : Object.keys(h.aggregates)),
    exact: h.fields !== undefined,
    offsets: Number.parseInt(h.manifest_version) >= 2,
  }));
  const perVersion = (test: (v: typeof sets[number]) => boolean) => {
    const hits = sets.map(test);
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = hits[version[i]!] ? 1 : 0;
    return out;
  };
  const newest = headers.findLast((h) => h.fields !== undefined) ?? headers.at(-1)!;
  const schema = {
    name: newest.schema_type,
    version: newest.schema_version,
    manifestFields: [...catalog.values()].filter((f) => f.role !== "meta").map(
      (f): ManifestField => {
        const declared = newest.fields?.find((d) => d.name === f.name);
        return { ...(declared ?? f), role: f.role as ManifestField["role"], nullable: true };
      },
    ),
  };
  // The header's Parquet name (relative to the shard's folder), else the sibling name.
  const folder = dataset ? `${dataset}/` : "";
  const parquetKey = shard.map((s, i) => {
    const recorded = cols.parquet_key?.[i];
    if (recorded) return folder + cols.name[i]!.replace(/[^/]*$/, "") + recorded;
    return `${s.replace(/\.tar(\.gz)?$/, "")}.manifest.parquet`;
  });
  return {
    cols,
    catalog,
    shard,
    parquetKey,
    exactOffsets: perVersion((v) => v.offsets),
    lacks: (field) => perVersion((v) => v.exact && !v.fields.has(field) && !field.startsWith("__")),
    mayHave: (field) =>
      perVersion((v) => field.startsWith("__") || !v.exact || v.fields.has(field)),
    schema,
    listing,
  };
}

/** The index with a fresh memo of Parquet versions (HEADs are per query). */
function withVersions(store: Store, core: Core, readMs: number): QueryIndex {
  const { cols, shard, parquetKey } = core;
  const known = new Map<number, Promise<string>>();
  const versionOfShard = (i: number) => {
    let p = known.get(i);
    const sha = cols.parquet_sha256?.[i];
    if (!p && sha && /^[0-9a-f]{64}$/.test(sha)) p = Promise.resolve(sha);
    if (!p) {
      p = store.head(parquetKey[i]!).then((info) => {
        if (!info) {
          throw new QueryError("not_found", `Manifest rows "${parquetKey[i]}" are absent`, {
            shard: shard[i],
          });
        }
        return createHash("sha256").update(
          `${store.url}\u0000${info.key}\u0000${info.etag ?? ""}\u0000${info.size}\u0000${
            info.lastModified?.getTime() ?? ""
          }`,
        ).digest("hex");
      });
      known.set(i, p);
    }
    return p;
  };
  return {
    cols: core.cols,
    catalog: core.catalog,
    shard,
    parquetKey,
    exactOffsets: core.exactOffsets,
    lacks: core.lacks,
    mayHave: core.mayHave,
    versions: async (list, concurrency) => {
      const out = new Array<string>(list.length);
      let next = 0;
      const worker = async () => {
        while (next < list.length) {
          const j = next++;
          out[j] = await versionOfShard(list[j]!);
        }
      };
      await Promise.all(
        Array.from({ length: Math.max(1, Math.min(concurrency, list.length)) }, worker),
      );
      return out;
    },
    schema: core.schema,
    readMs,
  };
}
