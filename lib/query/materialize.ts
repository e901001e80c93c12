/**
 * {@linkcode materialize}: the samples a query matches, written as a new sharded dataset with
 * manifests, and cached: a view is named by the sha256 of the canonical query and the versions
 * (ETag, size and time of the Parquet manifests it read), and recorded last, create-only, at
 * `_views/<hash>/view.json`. Asking again finds the record and writes nothing; once an input
 * shard changes or a new one could match, the hash changes and a new view is written.
 *
 * The samples are copied byte for byte (ranged reads coalesced per source shard, no decoding)
 * into output shards of at most `maxcount` samples and `maxsize` bytes, planned from the query's
 * rows; each gets a manifest from those rows, whose provenance names the view
 * (`source_job_id: "view:<hash>"`) and the shards its samples came from.
 *
 * A small view is copied here, shard after shard, into `<output>/shard-%06d.tar`. A large one
 * (more than `jobAbove` samples or bytes, or `asJob: true`) runs as a job on an executor (the
 * local one by default, as `submit` runs jobs): one task per output shard, each running the same
 * copy into `<output>/shard-<task>-000.tar`, so the work goes on in other processes (several at
 * once) and shows in `status`/`jobs`. The view is recorded only once the job completed: a job
 * that fails or is cancelled leaves no view (a `QueryError` `job_failed` names it), and asking
 * again takes the same job up (waits for it, resumes it, or runs its failed tasks again).
 *
 * @module
 */
import { createHash } from "node:crypto";
import pl from "nodejs-polars";
import type { JobStatus } from "../job/status.ts";
import type { Job } from "../job/job.ts";
import type { ShardRef } from "../job/job_spec.ts";
import type { OpenStoreOptions } from "../store/open_store.ts";
import { type Store, StoreError } from "../store/mod.ts";
import { locationsOf } from "./_locations.ts";
import { type Plan, plan } from "./_plan.ts";
import { defaultCacheDir } from "./_sandbox.ts";
import { scanManifests } from "./_scan.ts";
import type { QueryOptions } from "./query.ts";
import { QueryError } from "./query_error.ts";
import { groupViewRows, type ViewJobParams, type ViewRow } from "./_view_plan.ts";
import { copyViewShard, uncommitViewShards } from "./_view_shard.ts";
import {
  awaitViewJob,
  findViewJob,
  removeViewPlan,
  resumeViewJob,
  startViewJob,
  viewJobId,
} from "./_view_run.ts";

/** The query a view holds. */
export type ViewQuery = Pick<QueryOptions, "where" | "orderBy" | "limit">;

/** Where and how a view job runs (as `submit` takes them). */
export interface ViewJobOptions {
  /** Executor name. @default "local" */
  backend?: string;
  /** How executor processes open the store (S3 endpoint, credentials). @default {} */
  storeOptions?: OpenStoreOptions;
  /** Backend-specific options (local: `LocalExecutorOptions`). */
  backendOptions?: Record<string, unknown>;
  /** Tasks in flight at once. @default the backend's (local: one per core) */
  concurrency?: number;
}

/** Options for {@linkcode materialize}. */
export interface MaterializeOptions {
  /** Dataset the view's shards go to. @default `_views/<hash>` */
  output?: string;
  /** Samples per output shard. @default 10000 */
  maxcount?: number;
  /** Bytes per output shard (its samples', tar headers included). @default 3e9 */
  maxsize?: number;
  /** Local folder of cached Parquet manifests. @default `<os tmpdir>/shardline/query-cache` */
  cacheDir?: string;
  /** Manifests fetched at once (and ranged reads at once, up to 8, when copying here). @default 16 */
  concurrency?: number;
  /**
   * Copy as a job on an executor (`true`), or in this process (`false`), whatever the size.
   * @default a job when the view is above `jobAbove`
   */
  asJob?: boolean;
  /**
   * A view with more samples, or more bytes (its samples'), than these runs as a job.
   * @default { samples: 100_000, bytes: 2 ** 30 }
   */
  jobAbove?: { samples?: number; bytes?: number };
  /** Where and how a view job runs (backend, executor store options, ...). @default local */
  executor?: ViewJobOptions;
  /**
   * Wait for a view job and record the view. `false`: return once the job runs, with `job` and
   * `pending: true` (nothing recorded yet); materialize again to wait for it and record the view.
   * @default true
   */
  wait?: boolean;
  /** Called with the job's status while waiting for a view job (draw a progress bar with it). */
  onProgress?: (status: JobStatus) => void;
}

/** A materialized view, as recorded in `_views/<hash>/view.json`. */
export interface ViewRecord {
  hash: string;
  /** The canonical query: dataset, where (canonical SQL), orderBy, limit. */
  query: { dataset: string; where: string; orderBy: string[]; limit: number | null };
  /** The manifests read: shard store key and the version of its Parquet manifest. */
  parents: { shard: string; version: string }[];
  /** The dataset holding the view's shards. */
  output: string;
  samples: number;
  shards: string[];
  created_at: string;
  /** The job that copied the samples, for a view run as a job (`status(store, job)`). */
  job?: string;
}

/** What {@linkcode materialize} returns. */
export interface MaterializeResult extends ViewRecord {
  /** True when the view existed: nothing was written. */
  cached: boolean;
  /**
   * With `wait: false`: the view's job is still running and the view is not recorded yet;
   * `samples` and `shards` are what it will write.
   */
  pending?: boolean;
}

/** The size above which a view runs as a job, unless `jobAbove` says otherwise. */
export const JOB_ABOVE: { samples: number; bytes: number } = { samples: 100_000, bytes: 2 ** 30 };

/** Store key of a view's record. */
export function viewKey(hash: string): string {
  return `_views/${hash}/view.json`;
}

async function getJson<T>(store: Store, key: string): Promise<T | undefined> {
  try {
    return JSON.parse(new TextDecoder().decode(await store.get(key))) as T;
  } catch (err) {
    if (err instanceof StoreError && err.code === "not_found") return undefined;
    throw err;
  }
}

/**
 * Writes (or finds) the view of `dataset` under `q`; see the module doc for when it runs as a
 * job. Rejects with {@linkcode QueryError}: bad input as `query` does, `invalid_option` for an
 * output that holds other objects, `job_failed` for a view job that did not complete.
 *
 * @example
 * ```ts
 * import { materialize, query } from "./mod.ts";
 * import { MemoryStore } from "../store/mod.ts";
 * import { defineSchema, f } from "../schema/mod.ts";
 * import { writeShards } from "../dataset/mod.ts";
 * const S = defineSchema({ name: "S", version: "1.0.0", fields: { label: f.str() } });
 * const store = new MemoryStore();
 * const samples = Array.from({ length: 6 }, (_, i) => ({ __key__: `k${i}`, label: i % 2 ? "dog" : "cat" }));
 * await writeShards(store, "pets/shard-%06d.tar", samples, { schema: S, maxcount: 2 });
 * const view = await materialize(store, "pets", { where: "label = 'dog'" }, { output: "dogs" });
 * const again = await materialize(store, "pets", { where: "label='dog'" }, { output: "dogs" });
 * if (view.cached || !again.cached || again.hash !== view.hash) throw new Error();
 * if ((await query(store, "dogs")).df.height !== 3) throw new Error();
 * ```
 *
 * @example As a job on the local executor, with a progress bar
 * ```ts ignore
 * import { progressBar } from "../notebook/mod.ts";
 * const view = await materialize(store, "raw/images", { where: "label = 'cat'" }, {
 *   asJob: true,
 *   onProgress: progressBar(),
 * });
 * console.log(view.job, view.shards.length); // the job's records: status(store, view.job)
 * ```
 */
export async function materialize(
  store: Store,
  dataset: string,
  q: ViewQuery,
  options: MaterializeOptions = {},
): Promise<MaterializeResult> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const concurrency = options.concurrency ?? 16;
  const maxcount = options.maxcount ?? 10000;
  const maxsize = options.maxsize ?? 3e9;
  if (!(maxcount >= 1) || !(maxsize > 0)) {
    throw new QueryError("invalid_option", `maxcount and maxsize must be positive`);
  }
  const p = await plan(store, dataset, q.where, cacheDir);
  const orderBy = q.orderBy === undefined
    ? []
    : typeof q.orderBy === "string"
    ? q.orderBy.split(",")
    : [...q.orderBy];
  const canonical = {
    dataset,
    where: p.where,
    orderBy: orderBy.map((s) => s.trim().replace(/\s+/g, " ")),
    limit: q.limit ?? null,
  };
  const versions = await p.index.versions(p.survivors, concurrency);
  const parents = p.survivors.map((i, j) => ({ shard: p.index.shard[i]!, version: versions[j]! }));
  const hash = createHash("sha256").update(JSON.stringify({ query: canonical, parents })).digest(
    "hex",
  )
    .slice(0, 32);
  const found = await getJson<ViewRecord>(store, viewKey(hash));
  if (found) return { ...found, cached: true };

  const output = options.output ?? `_views/${hash}`;
  const base = { hash, query: canonical, parents, output };
  // The job of this view (running, stopped or done) is taken up rather than started again.
  const jobId = viewJobId(hash, output, maxcount, maxsize);
  const recorded = options.asJob === false ? undefined : await findViewJob(store, jobId);
  if (recorded) {
    const job = await resumeViewJob(store, recorded, options.executor);
    return await viaJob(store, job, base, options);
  }
  for await (const _ of store.list(`${output}/`)) {
    throw new QueryError(
      "invalid_option",
      `Cannot materialize into "${output}": it already holds objects (choose another output)`,
    );
  }
  const rows = await viewRows(store, p, orderBy, q.limit, concurrency);
  const groups = groupViewRows(rows, maxcount, maxsize);
  const bytes = rows.reduce((n, r) => n + r.size, 0);
  const above = { ...JOB_ABOVE, ...options.jobAbove };
  const asJob = options.asJob ?? (rows.length > above.samples || bytes > above.bytes);
  const { schema, cols } = p.index;
  if (asJob && groups.length > 0) {
    const refs: ShardRef[] = p.survivors.map((i) => ({
      key: p.index.shard[i]!,
      size: cols.size_bytes[i] || 0,
      ...(Number.isFinite(cols.num_samples[i]) && { num_samples: cols.num_samples[i] }),
    }));
    const job = await startViewJob(
      store,
      { dataset, hash, output, schema, groups, parents: refs, maxcount, maxsize },
      options.executor,
    );
    return await viaJob(store, job, base, options);
  }
  const shards: string[] = [];
  try {
    for (const [index, group] of groups.entries()) {
      const shard = await copyViewShard(store, group, {
        pattern: `${output}/shard-%06d.tar`,
        index,
        output,
        hash,
        schema,
        concurrency: Math.min(concurrency, 8),
      });
      shards.push(shard.key);
    }
  } catch (err) {
    await uncommitViewShards(store, output, shards).catch(() => {});
    throw err;
  }
  const created_at = new Date().toISOString();
  return await record(store, { ...base, samples: rows.length, shards, created_at });
}

/** Waits for a view's job (unless `wait: false`), then records the view. */
async function viaJob(
  store: Store,
  job: Job,
  base: Pick<ViewRecord, "hash" | "query" | "parents" | "output">,
  options: MaterializeOptions,
): Promise<MaterializeResult> {
  if (options.wait === false && (await job.status()).state !== "completed") {
    const params = job.spec.params as unknown as ViewJobParams;
    return {
      ...base,
      samples: params.samples,
      shards: job.spec.tasks.map((t) => `${t.output_prefix}-000.tar`),
      created_at: job.spec.created_at,
      job: job.id,
      cached: false,
      pending: true,
    };
  }
  const outputs = await awaitViewJob(store, job, base.hash, options.onProgress);
  const result = await record(store, {
    ...base,
    samples: outputs.reduce((n, o) => n + o.num_samples, 0),
    shards: outputs.map((o) => o.key),
    created_at: new Date().toISOString(),
    job: job.id,
  });
  // The task files are not needed once the view is recorded (a retry has nothing to run).
  await removeViewPlan(store, job.id).catch(() => {});
  return result;
}

/** Records the view, create-only, last; a record written meanwhile by another call wins. */
async function record(store: Store, view: ViewRecord): Promise<MaterializeResult> {
  try {
    await store.put(viewKey(view.hash), JSON.stringify(view, null, 2) + "\n", {
      ifNoneMatch: "*",
    });
  } catch (err) {
    if (!(err instanceof StoreError && err.code === "already_exists")) throw err;
    const winner = await getJson<ViewRecord>(store, viewKey(view.hash));
    if (winner) return { ...winner, cached: true };
  }
  return { ...view, cached: false };
}

/**
 * The view's rows, in order: the query's order, then shard and offset (a total order, so that
 * the same view always plans the same shards; with no order, the source shards' key order),
 * with every manifest field's value.
 */
async function viewRows(
  store: Store,
  p: Plan,
  orderBy: string[],
  limit: number | undefined,
  concurrency: number,
): Promise<ViewRow[]> {
  const { catalog, schema } = p.index;
  const fields = schema.manifestFields.map((f) => f.name);
  const order = orderBy.map(orderKey);
  for (const field of ["__shard__", "__offset__"]) {
    if (!order.some((k) => k.field === field)) order.push({ field, desc: false });
  }
  const scan = await scanManifests(store, p, { select: fields, order, limit, concurrency });
  const locations = locationsOf(scan.df);
  const columns = fields.map((f) => columnValues(scan.df, f, catalog.get(f)?.type));
  const rows = locations.map((loc, r) => {
    if (loc.offset === null || loc.offset === undefined) {
      throw new QueryError(
        "invalid_option",
        `Cannot materialize sample "${loc.key}" of "${loc.shard}": its manifest records no byte offset (atdata)`,
        { shard: loc.shard, key: loc.key },
      );
    }
    return { ...loc, offset: loc.offset, values: columns.map((c) => c[r]) };
  });
  // The scan sorts by its cached copies' names: unordered, a view follows its sources' order.
  if (!orderBy.length) {
    rows.sort((a, b) => a.shard < b.shard ? -1 : a.shard > b.shard ? 1 : a.offset - b.offset);
  }
  return rows;
}

function orderKey(entry: string): { field: string; desc: boolean } {
  const m = /^\s*([^\s]+)(?:\s+(asc|desc))?\s*$/i.exec(entry);
  if (!m) throw new QueryError("invalid_option", `Cannot sort by ${JSON.stringify(entry)}`);
  return { field: m[1]!, desc: m[2]?.toLowerCase() === "desc" };
}

/** A column's values as a sample holds them (int64 exactly, as BigInt; timestamps as Date). */
function columnValues(df: pl.DataFrame, name: string, type: string | undefined): unknown[] {
  const col = df.getColumn(name);
  if (type !== "int") return col.toArray() as unknown[];
  return (col.cast(pl.Utf8).toArray() as (string | null)[]).map((
    v,
  ) => (v === null ? null : BigInt(v)));
}
