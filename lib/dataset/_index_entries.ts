/**
 * The entries (names and parsed headers) of an index segment, from its headers file.
 *
 * @module
 */
import type { Store } from "../store/store.ts";
import type { IndexEntry } from "../manifest/index_entry.ts";
import { getOrUndefined, segmentKeys } from "./_index_generation.ts";
import { scanSegmentHeaders } from "./_index_segment_read.ts";
import { parseManifestHeader } from "../manifest/manifest_header.ts";
import { shardKeyIn } from "../manifest/manifest_keys.ts";

/** Batches of the entries of segment `id` (sorted by name); undefined when it is gone. */
export async function scanSegmentEntries(
  store: Store,
  dataset: string,
  id: string,
): Promise<AsyncGenerator<IndexEntry[]> | undefined> {
  const bytes = await getOrUndefined(store, segmentKeys(dataset, id).headers);
  if (!bytes) return undefined;
  return (async function* () {
    for await (const batch of scanSegmentHeaders(bytes)) {
      yield batch.map(({ name, header }) => {
        const shard = shardKeyIn(dataset, name);
        return { name, shard, header: parseManifestHeader(header, shard) };
      });
    }
  })();
}

/** Every entry of segment `id`; undefined when it is gone. */
export async function readSegmentEntries(
  store: Store,
  dataset: string,
  id: string,
): Promise<IndexEntry[] | undefined> {
  const scan = await scanSegmentEntries(store, dataset, id);
  if (!scan) return undefined;
  const out: IndexEntry[] = [];
  for await (const batch of scan) out.push(...batch);
  return out;
}
