/**
 * {@linkcode compactIfNeeded}: compaction without a person. Writers (`writeShards`, every job
 * task) call it after committing their shards: it lists the dataset's fragments up to the
 * threshold (one LIST page on S3 at the default) and compacts when there are that many, so a
 * dataset written by a million tasks never leaves a million fragments to read.
 *
 * Writers call its safe form, {@linkcode tryCompactIfNeeded}: their shards are committed and
 * indexed by their fragments before it runs, so a compaction that fails must fail nothing (the
 * fragments wait for the next writer past the threshold, or `index compact`); it comes back as
 * a {@linkcode CompactionWarning} for the writer to report.
 *
 * @module
 */
import type { Store } from "../store/store.ts";
import {
  compactIndex,
  type CompactIndexOptions,
  type CompactIndexResult,
} from "./compact_index.ts";
import { indexPrefix } from "../manifest/manifest_keys.ts";

/** Options for {@linkcode compactIfNeeded}. */
export interface CompactIfNeededOptions extends CompactIndexOptions {
  /** Fragments from which a compaction runs. @default 1000 */
  threshold?: number;
}

/** The default of {@linkcode CompactIfNeededOptions.threshold}. */
export const COMPACT_THRESHOLD = 1000;

/** A compaction that failed after the shards it would fold in were committed: nothing is lost. */
export interface CompactionWarning {
  /** What failed: the automatic compaction of an index. */
  stage: "compact";
  /** The dataset whose index stays uncompacted. */
  dataset: string;
  /** The error's code (a store's `io`, ...), `"unknown"` when it had none. */
  code: string;
  /** The error's message. */
  message: string;
}

/**
 * Compacts `dataset`'s index when it has at least `threshold` fragments; resolves to what the
 * compaction did, or undefined when none ran.
 *
 * @example
 * ```ts
 * import { compactIfNeeded } from "./compact_if_needed.ts";
 * import { MemoryStore } from "../store/memory_store.ts";
 * import { writeShards } from "./write_shards.ts";
 * import { defineSchema, f } from "../schema/mod.ts";
 * const store = new MemoryStore();
 * const S = defineSchema({ name: "S", version: "1.0.0", fields: { label: f.str() } });
 * const samples = [{ __key__: "a", label: "x" }, { __key__: "b", label: "y" }];
 * await writeShards(store, "ds/shard-%06d.tar", samples, { schema: S, maxcount: 1, compactAt: false });
 * if (await compactIfNeeded(store, "ds", { threshold: 3 })) throw new Error("2 < 3");
 * if ((await compactIfNeeded(store, "ds", { threshold: 2 }))?.shards !== 2) throw new Error();
 * ```
 */
export async function compactIfNeeded(
  store: Store,
  dataset: string,
  options: CompactIfNeededOptions = {},
): Promise<CompactIndexResult | undefined> {
  const threshold = Math.max(1, options.threshold ?? COMPACT_THRESHOLD);
  let fragments = 0;
  for await (const _ of store.list(`${indexPrefix(dataset)}shards/`)) {
    if (++fragments >= threshold) break;
  }
  if (fragments < threshold) return undefined;
  return await compactIndex(store, dataset, options);
}

/**
 * {@linkcode compactIfNeeded} that never throws: resolves to a warning when the compaction
 * failed, else to undefined (compacted, or nothing to do).
 *
 * @example
 * ```ts
 * import { tryCompactIfNeeded } from "./compact_if_needed.ts";
 * import { MemoryStore } from "../store/memory_store.ts";
 * import { StoreError } from "../store/store_error.ts";
 * const broken = Object.assign(Object.create(new MemoryStore()), {
 *   list: () => {
 *     throw new StoreError("io", "Cannot list: disk on fire");
 *   },
 * });
 * const warning = await tryCompactIfNeeded(broken, "ds", { threshold: 1 });
 * if (warning?.code !== "io" || warning.dataset !== "ds") throw new Error(JSON.stringify(warning));
 * ```
 */
export async function tryCompactIfNeeded(
  store: Store,
  dataset: string,
  options: CompactIfNeededOptions = {},
): Promise<CompactionWarning | undefined> {
  try {
    await compactIfNeeded(store, dataset, options);
    return undefined;
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    return {
      stage: "compact",
      dataset,
      code: typeof code === "string" && code !== "" ? code : "unknown",
      message: err instanceof Error ? err.message : String(err),
    };
  }
}
