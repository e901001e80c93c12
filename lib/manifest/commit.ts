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
import { fragmentKey, shardKeys, shardName, tombstoneKey } from "./manifest_keys.ts";
import { encodeIndexEntry } from "./index_entry.ts";

async function createOnly(store: Store, key: string, text: string): Promise<boolean> {
  try {
    await store.put(key, text, { ifNoneMatch: "*", contentType: "application/json" });
    return true;
  } catch (err) {
    if (err instanceof StoreError && err.code === "already_exists") return false;
    throw err;
  }
}

/**
 * The header already committing `shard`, when there is one with the same tar checksum (a rerun:
 * nothing to write); undefined when the shard is not committed. Throws a
 * {@linkcode ManifestError} `"already_committed"` when a different tar is committed there.
 */
export async function existingCommit(
  store: Store,
  shard: string,
  sha256: string | null,
): Promise<ManifestHeader | undefined> {
  const { json } = shardKeys(shard);
  let bytes: Uint8Array;
  try {
    bytes = await store.get(json);
  } catch (err) {
    if (err instanceof StoreError && err.code === "not_found") return undefined;
    throw err;
  }
  const existing = parseManifestHeader(new TextDecoder().decode(bytes), shard);
  if (existing.checksum_sha256 !== sha256) {
    throw new ManifestError(
      "already_committed",
      `Cannot commit manifest of "${shard}": "${json}" already commits a different tar (sha256 ${existing.checksum_sha256})`,
      { shard, path: json },
    );
  }
  return existing;
}

/**
 * Writes the header (create-only: of two racing commits one wins, the other adopts the winner's
 * header or fails as above), then the index fragment; returns the committed header.
 */
export async function commitHeader(
  store: Store,
  shard: string,
  text: string,
  header: ManifestHeader,
  dataset: string | false,
): Promise<ManifestHeader> {
  if (dataset !== false) shardName(dataset, shard); // a shard outside its dataset: fail early
  let committed = header;
  if (!await createOnly(store, shardKeys(shard).json, text)) {
    committed = (await existingCommit(store, shard, header.checksum_sha256))!;
  }
  await writeFragment(store, shard, committed, dataset);
  return committed;
}

/**
 * Writes the shard's index fragment (a plain put: it always mirrors the committed header), after
 * removing a tombstone left by `removeFromIndex`. The fragment names the shard relative to the
 * dataset; a shard outside the dataset's folder is a `RangeError`.
 */
export async function writeFragment(
  store: Store,
  shard: string,
  header: ManifestHeader,
  dataset: string | false,
): Promise<void> {
  if (dataset === false) return;
  const name = shardName(dataset, shard);
  // In this order: a compaction that lists the tombstone, then this fragment, must find the
  // tombstone gone when it reads it (else it drops the shard from the index for good).
  await store.delete(tombstoneKey(dataset, shard));
  await store.put(fragmentKey(dataset, shard), encodeIndexEntry({ name, header }), {
    contentType: "application/json",
  });
}
