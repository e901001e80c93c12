/**
 * {@linkcode datasetNotFound}: the error for reading a dataset that does not exist, naming it
 * and the datasets that do exist beside it (so a typo in a notebook shows the right name).
 *
 * @module
 */
import type { Store } from "../store/mod.ts";
import { ManifestError } from "../manifest/mod.ts";

/** Sibling folders looked at for an `_index/` (the rest are not listed). */
const MAX_SIBLINGS = 50;

async function hasAny(store: Store, prefix: string): Promise<boolean> {
  for await (const _ of store.list(prefix)) return true;
  return false;
}

/**
 * Returns a {@linkcode ManifestError} `"not_found"` when nothing is stored under `dataset/`
 * (undefined when something is: an existing dataset, even an empty or unindexed one). The
 * message lists the datasets (folders with an `_index/`) under the dataset's parent folder.
 *
 * @example
 * ```ts
 * import { datasetNotFound } from "./dataset_not_found.ts";
 * import { MemoryStore } from "../store/memory_store.ts";
 * const store = new MemoryStore();
 * await store.put("raw/images/_index/shards/shard-000000.json", "{}");
 * const err = await datasetNotFound(store, "raw/imgs");
 * if (!err?.message.includes('datasets under "raw/": images')) throw new Error(err?.message);
 * if (await datasetNotFound(store, "raw/images")) throw new Error("it exists");
 * ```
 */
export async function datasetNotFound(
  store: Store,
  dataset: string,
): Promise<ManifestError | undefined> {
  const prefix = dataset.replace(/\/+$/, "");
  if (await hasAny(store, `${prefix}/`)) return undefined;
  const cut = prefix.lastIndexOf("/");
  const parent = cut < 0 ? "" : prefix.slice(0, cut + 1);
  const folders: string[] = [];
  for await (const o of store.list(parent, { delimiter: "/" })) {
    if (o.key.endsWith("/") && !o.key.slice(parent.length).startsWith("_")) folders.push(o.key);
    if (folders.length >= MAX_SIBLINGS) break;
  }
  const datasets: string[] = [];
  for (const folder of folders) {
    if (await hasAny(store, `${folder}_index/`)) datasets.push(folder.slice(parent.length, -1));
  }
  const where = parent ? `under "${parent}"` : "at the store's root";
  const list = datasets.length
    ? `datasets ${where}: ${datasets.join(", ")}`
    : folders.length
    ? `no dataset ${where} (folders: ${folders.map((f) => f.slice(parent.length)).join(", ")})`
    : `nothing is stored ${where}`;
  return new ManifestError(
    "not_found",
    `Dataset "${prefix}" not found in ${store.url}: nothing is stored under "${prefix}/"; ${list}`,
    { path: `${prefix}/` },
  );
}
