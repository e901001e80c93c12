/**
 * {@linkcode readIndexColumns}: a dataset's index as {@linkcode IndexColumns}, the input of shard
 * pruning and dataset statistics: the compacted segments' columns read with DuckDB (only the
 * columns asked for, straight into typed arrays), the newer fragments converted by
 * {@linkcode indexColumnsFromHeaders}, merged by name, minus removed shards.
 *
 * @module
 */
import type { Store } from "../store/store.ts";
import { type IndexColumns, indexColumnsFromHeaders } from "./index_columns.ts";
import { mapLimit } from "../util/map_limit.ts";
import { withIndexSnapshot } from "./_index_snapshot.ts";
import { type IndexColumnsPart, readSegmentColumns, segmentSource } from "./_index_segment_read.ts";
import { concatLayout, mergeIndexColumns } from "./_index_merge.ts";
import { ColumnArena } from "./_column_arena.ts";

export type { IndexColumnsPart } from "./_index_segment_read.ts";

/** Options for {@linkcode readIndexColumns}. */
export interface ReadIndexColumnsOptions {
  /** Only these fields' columns. @default every field some shard has */
  fields?: readonly string[];
  /**
   * Per categorical field, only these values' counts (`values` then holds exactly these, zeros
   * where no shard lists one): pruning on a few values of a wide field (past 64 distinct values
   * a segment stores the counts as JSON) reads one column per value asked, not one per value
   * stored. @default every value
   */
  values?: Readonly<Record<string, readonly string[]>>;
  /**
   * Per-shard objects to leave out (their arrays are then absent): each costs a JSON parse per
   * shard, which a pruning rule that does not use them need not pay. @default none
   */
  skip?: readonly IndexColumnsPart[];
  /** Store GETs at once (fragments, segments). @default 16 */
  concurrency?: number;
  /** Folder for DuckDB's temp files (generations of the older layout). */
  tempDir?: string;
}

/**
 * Reads the index of `dataset` as columns: one slot per live shard, sorted by name, the same
 * meaning as {@linkcode indexColumnsFromHeaders} over `readIndex(...).entries`.
 *
 * @example
 * ```ts
 * import { readIndexColumns } from "./read_index_columns.ts";
 * import { MemoryStore } from "../store/memory_store.ts";
 * import { writeShards } from "./write_shards.ts";
 * import { defineSchema, f } from "../schema/mod.ts";
 * const store = new MemoryStore();
 * const S = defineSchema({ name: "S", version: "1.0.0", fields: { n: f.float() } });
 * await writeShards(store, "ds/shard-%06d.tar", [{ __key__: "a", n: 2 }, { __key__: "b", n: 5 }], { schema: S });
 * const cols = await readIndexColumns(store, "ds", { fields: ["n"] });
 * if (cols.length !== 1 || cols.fields.n?.max?.[0] !== 5) throw new Error();
 * ```
 */
export async function readIndexColumns(
  store: Store,
  dataset: string,
  options: ReadIndexColumnsOptions = {},
): Promise<IndexColumns> {
  const fields = options.fields ? new Set(options.fields) : undefined;
  const skip = new Set(options.skip ?? []);
  const values = options.values &&
    new Map(Object.entries(options.values).map(([f, vs]) => [f, new Set(vs)]));
  const limit = options.concurrency ?? 16;
  return await withIndexSnapshot(store, dataset, options, async (snap) => {
    const parts: IndexColumns[] = [];
    if (snap.legacyEntries) {
      parts.push(indexColumnsFromHeaders(dataset, snap.legacyEntries, options));
    }
    const infos = snap.segments?.segments ?? [];
    const sources = await mapLimit(infos, limit, (info) => segmentSource(store, dataset, info));
    const fragments = indexColumnsFromHeaders(dataset, snap.fragments, options);
    // From the names alone: where each segment lands in the result, so it is read into place.
    const layout = concatLayout(
      [...parts, ...sources.map((s) => ({ name: s.names, length: s.names.length })), fragments],
      snap.removed,
    );
    const arena = layout && new ColumnArena(layout.length);
    const segments = await mapLimit(infos, limit, (info, k) => {
      const slot = arena && { arena, at: layout.at[parts.length + k]! };
      return readSegmentColumns(dataset, sources[k]!, info, { fields, skip, slot, values });
    });
    const out = mergeIndexColumns(
      dataset,
      [...parts, ...segments, fragments],
      snap.removed,
      arena,
    );
    if (skip.has("parquet")) {
      delete out.parquet_key;
      delete out.parquet_sha256;
      delete out.parquet_size;
    }
    for (const cols of Object.values(out.fields)) {
      if (skip.has("histogram")) delete cols.histogram;
      if (skip.has("set_values")) delete cols.set_values;
      if (skip.has("bloom")) delete cols.bloom;
    }
    return out;
  });
}
