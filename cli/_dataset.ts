/**
 * Opens the store of a CLI dataset location (`./data/ds`, `s3://bucket/ds`, `file:///abs/ds`,
 * or `ds` with `--store URL`) and names the dataset inside it.
 *
 * @module
 */
import type { Store } from "../lib/store/mod.ts";
import type { CliContext, StoreFlags } from "./_context.ts";
import { splitLocation } from "./_location.ts";

/** A dataset's store (close it after use) and its key prefix inside it. */
export interface DatasetLocation {
  store: Store;
  dataset: string;
}

/** Splits `location` into store URL and dataset, and opens the store. */
export async function openDataset(
  ctx: CliContext,
  location: string,
  flags: StoreFlags & { store?: string },
): Promise<DatasetLocation> {
  const { storeUrl, key } = splitLocation(location.replace(/\/+$/, ""), flags.store);
  return { store: await ctx.openStore(storeUrl, flags), dataset: key };
}
