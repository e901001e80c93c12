/**
 * One entry of a dataset index and the JSON text of its fragment: what a shard's commit writes,
 * kept apart from the index's Parquet side so that committing a shard never loads DuckDB.
 *
 * @module
 */
import { encodeManifestHeader, type ManifestHeader } from "./manifest_header.ts";

/** One shard in a dataset index. */
export interface IndexEntry {
  /**
   * The shard's key relative to the dataset (`shard-000042.tar`): what the index stores, the
   * same wherever the dataset lives.
   */
  name: string;
  /**
   * The shard's store key in the store the index was read from (`<dataset>/shard-000042.tar`):
   * pass it to `readManifest`, `store.get`, ... .
   */
  shard: string;
  header: ManifestHeader;
}

/** The JSON text of an index fragment (the shard by its name in the dataset). */
export function encodeIndexEntry(entry: Pick<IndexEntry, "name" | "header">): string {
  return `{"name": ${JSON.stringify(entry.name)}, "header": ${
    encodeManifestHeader(entry.header)
  }}\n`;
}
