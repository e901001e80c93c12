/**
 * Input resolution and task planning: a dataset prefix, a shard list or a brace pattern becomes
 * a list of shards, and the shards become tasks (one per shard, groups of shards, or slices of
 * big shards by sample range).
 *
 * @module
 */
import type { Store } from "../store/store.ts";
import { expandBraces } from "../shard/expand_braces.ts";
import { scanSamples } from "../shard/scan_samples.ts";
import { JobError } from "./job_error.ts";
import type { ShardRef, TaskSpec } from "./job_spec.ts";
import { readJson } from "./job_records.ts";
import { mapLimit } from "../util/map_limit.ts";

const SHARD = /\.(tar|tar\.gz|tgz)$/;

/** The shard key without its extension. */
export function shardStem(key: string): string {
  return key.replace(SHARD, "");
}

/**
 * Resolves a job input to shards: a list of keys (each may be a brace pattern), a brace
 * pattern, a single `.tar` key, or a dataset prefix (its committed shards: those with a
 * `.manifest.json` when the dataset has manifests, else every `.tar`; `_`-folders excluded).
 * Each shard gets its size and a fingerprint (manifest checksum, etag or mtime) for the job id.
 *
 * @example
 * ```ts ignore
 * const shards = await resolveInput(store, "raw/shard-{000000..000007}.tar");
 * ```
 */
export async function resolveInput(store: Store, input: string | string[]): Promise<ShardRef[]> {
  const given = typeof input === "string" ? [input] : input;
  const keys: string[] = [];
  for (const item of given) {
    const clean = item.replace(/^\/+/, "");
    if (clean.includes("{")) keys.push(...expandBraces(clean));
    else if (SHARD.test(clean)) keys.push(clean);
    else keys.push(...await listDataset(store, clean));
  }
  const unique = [...new Set(keys)];
  if (unique.length === 0) {
    throw new JobError(
      "invalid_input",
      `Input ${JSON.stringify(input)} has no shards in ${store.url}`,
    );
  }
  return await mapLimit(unique, 16, async (key) => {
    const info = await store.head(key);
    if (!info) {
      throw new JobError("invalid_input", `Input shard "${key}" does not exist in ${store.url}`);
    }
    const manifest = await readJson<{ checksum_sha256?: string; num_samples?: number }>(
      store,
      `${shardStem(key)}.manifest.json`,
    ).catch(() => undefined);
    const ref: ShardRef = { key, size: info.size };
    if (info.etag) ref.etag = info.etag;
    if (manifest?.checksum_sha256) ref.sha256 = manifest.checksum_sha256;
    if (typeof manifest?.num_samples === "number") ref.num_samples = manifest.num_samples;
    if (!ref.etag && !ref.sha256 && info.lastModified) ref.mtime = info.lastModified.getTime();
    return ref;
  });
}

async function listDataset(store: Store, prefix: string): Promise<string[]> {
  const dir = prefix === "" || prefix.endsWith("/") ? prefix : `${prefix}/`;
  const tars: string[] = [];
  const committed = new Set<string>();
  for await (const { key } of store.list(dir)) {
    if (key.slice(dir.length).split("/").some((part) => part.startsWith("_"))) continue;
    if (SHARD.test(key)) tars.push(key);
    else if (key.endsWith(".manifest.json")) committed.add(key.slice(0, -".manifest.json".length));
  }
  return committed.size === 0 ? tars : tars.filter((k) => committed.has(shardStem(k)));
}

/** Options for {@linkcode planTasks}. */
export interface PlanTasksOptions {
  /** Whole shards per task. @default 1 */
  shardsPerTask?: number;
  /**
   * Split shards with more samples than this into slices, one task each (planning reads such
   * shards once to find where each slice starts). @default undefined
   */
  samplesPerTask?: number;
}

/**
 * Plans tasks over resolved shards. Task `i` is `task-<i>` and writes
 * `<output>/shard-<i>-<part>.tar`, so that every rerun of a task writes the same names.
 * Slicing needs sample counts: from the shards' manifests, else by scanning the shard once.
 *
 * @example
 * ```ts
 * import { planTasks } from "./plan_tasks.ts";
 * const shards = [{ key: "a/s-0.tar", size: 1 }, { key: "a/s-1.tar", size: 1 }];
 * const tasks = await planTasks(undefined as never, shards, "out", { shardsPerTask: 2 });
 * if (tasks.length !== 1 || tasks[0]!.output_prefix !== "out/shard-000000") throw new Error();
 * ```
 */
export async function planTasks(
  store: Store,
  shards: ShardRef[],
  output: string,
  options: PlanTasksOptions = {},
): Promise<TaskSpec[]> {
  const { shardsPerTask = 1, samplesPerTask } = options;
  if (!(shardsPerTask >= 1)) {
    throw new RangeError(`shardsPerTask must be >= 1, not ${shardsPerTask}`);
  }
  if (samplesPerTask !== undefined && !(samplesPerTask >= 1)) {
    throw new RangeError(`samplesPerTask must be >= 1, not ${samplesPerTask}`);
  }
  const groups: TaskSpec["inputs"][] = [];
  if (samplesPerTask !== undefined) {
    for (const shard of shards) {
      if (shard.num_samples !== undefined && shard.num_samples <= samplesPerTask) {
        groups.push([{ key: shard.key }]);
        continue;
      }
      // One pass over the shard finds where each slice starts, so a task reads only its range.
      // A shard that cannot be read whole is not split: its one task will report why.
      const starts = await sliceStarts(store, shard.key, samplesPerTask).catch(() => undefined);
      const n = starts?.count ?? 0;
      if (starts) shard.num_samples = n;
      if (!starts || n <= samplesPerTask) groups.push([{ key: shard.key }]);
      else {
        starts.offsets.forEach((offset, i) => {
          const start = i * samplesPerTask;
          groups.push([{
            key: shard.key,
            start,
            end: Math.min(n, start + samplesPerTask),
            offset,
          }]);
        });
      }
    }
  } else {
    for (let i = 0; i < shards.length; i += shardsPerTask) {
      groups.push(shards.slice(i, i + shardsPerTask).map((s) => ({ key: s.key })));
    }
  }
  const dir = output.replace(/\/+$/, "");
  return groups.map((inputs, index) => {
    const n = String(index).padStart(6, "0");
    return { id: `task-${n}`, index, inputs, output_prefix: `${dir}/shard-${n}` };
  });
}

/** The sample count of a shard and the byte offset of every `every`-th sample. */
async function sliceStarts(
  store: Store,
  key: string,
  every: number,
): Promise<{ count: number; offsets: number[] }> {
  let count = 0;
  const offsets: number[] = [];
  for await (const s of scanSamples(await store.getStream(key), { url: key })) {
    if (count++ % every === 0) offsets.push(s.offset);
  }
  return { count, offsets };
}
