/**
 * {@linkcode listJobs}: the jobs recorded in a store, newest first.
 *
 * @module
 */
import type { Store } from "../store/store.ts";
import type { JobSpec } from "./job_spec.ts";
import { readJson } from "./job_records.ts";
import { mapLimit } from "../util/map_limit.ts";

/** One job as {@linkcode listJobs} reports it. */
export interface JobListing {
  id: string;
  module: string;
  output: string;
  backend: string;
  tasks: number;
  created_at: string;
}

/**
 * Lists `_jobs/*` with their spec summaries, newest first.
 *
 * @example
 * ```ts
 * import { listJobs } from "./list_jobs.ts";
 * import { MemoryStore } from "../store/memory_store.ts";
 * const jobs = await listJobs(new MemoryStore());
 * if (jobs.length !== 0) throw new Error("unexpected");
 * ```
 */
export async function listJobs(store: Store): Promise<JobListing[]> {
  const ids: string[] = [];
  for await (const info of store.list("_jobs/", { delimiter: "/" })) {
    const id = info.key.slice("_jobs/".length).replace(/\/$/, "");
    if (id) ids.push(id);
  }
  const specs = await mapLimit(ids, 16, (id) => readJson<JobSpec>(store, `_jobs/${id}/job.json`));
  return specs
    .filter((s): s is JobSpec => s !== undefined)
    .map((s) => ({
      id: s.id,
      module: s.module,
      output: s.output,
      backend: s.backend,
      tasks: s.tasks.length,
      created_at: s.created_at,
    }))
    .sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
}
