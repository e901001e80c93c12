/**
 * Commits a shard: the create-only put of its `.manifest.json`, then its index fragment.
 * Idempotent: a rerun that finds the same tar (same sha256) already committed succeeds.
 *
 * @module
 */
import type { Store } from "../store/store.ts";
import { StoreError } from "../store/store_error.ts";
import { ManifestError } from "./manifest_error.ts";
import { type ManifestHeader, parseManifestHeader } from "./manifest_header.ts";
import { fragmentKey, shardKeys, tombstoneKey } from "./_keys.ts";
import { encodeIndexEntry } from "./_index_io.ts";

async function createOnly(store: Store, key: string, text: string): Promise<boolean> {
  try {
    await store.put(key, text, { ifNoneMatch: "*", contentType: "application/json" });
    return true;
  } catch (err) {
    if (err instanceof StoreError && err.code === "already_exists") return false;
    throw err;
  }
}

/** Writes the header (create-only) and the index fragment; returns the committed header. */
export async function commitHeader(
  store: Store,
  shard: string,
  text: string,
  header: ManifestHeader,
  dataset: string | false,
): Promise<ManifestHeader> {
  const { json } = shardKeys(shard);
  let committed = header;
  if (!await createOnly(store, json, text)) {
    const existing = parseManifestHeader(new TextDecoder().decode(await store.get(json)), shard);
    if (existing.checksum_sha256 !== header.checksum_sha256) {
      throw new ManifestError(
        "already_committed",
        `Cannot commit manifest of "${shard}": "${json}" already commits a different tar (sha256 ${existing.checksum_sha256})`,
        { shard, path: json },
      );
    }
    committed = existing;
  }
  if (dataset !== false) {
    // A re-commit after removeFromIndex: the tombstone goes before the new fragment appears.
    await store.delete(tombstoneKey(dataset, shard));
    await createOnly(
      store,
      fragmentKey(dataset, shard),
      encodeIndexEntry({ shard, header: committed }),
    );
  }
  return committed;
}
