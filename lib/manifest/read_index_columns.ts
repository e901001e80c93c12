/**
 * {@linkcode readIndexColumns}: a dataset's index as {@linkcode IndexColumns}, the input of shard
 * pruning and dataset statistics.
 *
 * @module
 */
import type { Store } from "../store/store.ts";
import { readIndex } from "./dataset_index.ts";
import { type IndexColumns, indexColumnsFromHeaders } from "./index_columns.ts";

/** Options for {@linkcode readIndexColumns}. */
export interface ReadIndexColumnsOptions {
  /** Only these fields' columns. @default every field some shard has */
  fields?: readonly string[];
  /** Store GETs at once (fragments, generation files). @default 16 */
  concurrency?: number;
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
  const { entries } = await readIndex(store, dataset, { concurrency: options.concurrency });
  return indexColumnsFromHeaders(dataset, entries, { fields: options.fields });
}
