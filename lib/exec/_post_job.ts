/**
 * The `backend: "http"` half of `submit()`: posts a job request to a dispatcher's `POST /jobs`
 * and returns the job it started, read back from the store.
 *
 * @module
 */
import type { Store } from "../store/store.ts";
import { Job } from "../job/job.ts";
import { JobError } from "../job/job_error.ts";
import { jobKeys, type JobSpec } from "../job/job_spec.ts";
import { readJson } from "../job/job_records.ts";
import type { JobRequest } from "./start_job.ts";

/** Where the dispatcher is. */
export interface PostJobOptions {
  /** The dispatcher's base URL. */
  endpoint?: string | URL;
  /** Its bearer token. */
  token?: string;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** Posts `request`; throws {@linkcode JobError} `"executor_failed"` with the dispatcher's error. */
export async function postJob(
  store: Store,
  request: JobRequest,
  options: PostJobOptions,
): Promise<Job> {
  if (!options.endpoint) {
    throw new JobError(
      "executor_failed",
      `backend "http" needs an endpoint (the dispatcher's URL)`,
    );
  }
  const url = new URL("jobs", String(options.endpoint).replace(/\/*$/, "/"));
  const res = await (options.fetch ?? fetch)(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(options.token !== undefined && { authorization: `Bearer ${options.token}` }),
    },
    body: JSON.stringify(request),
  }).catch((err) => {
    throw new JobError("executor_failed", `Cannot reach the dispatcher at ${url.origin}`, {
      cause: err,
    });
  });
  const body = await res.json().catch(() => undefined) as
    | { id?: string; created?: boolean; started?: boolean; error?: ErrorBody }
    | undefined;
  if (!res.ok || typeof body?.id !== "string") {
    const e = body?.error;
    const issues = e?.issues?.map((i) => `${i.path}: ${i.message}`).join("; ");
    throw new JobError(
      "executor_failed",
      `The dispatcher at ${url.origin} refused the job (${res.status}` +
        `${e?.code ? ` ${e.code}` : ""}): ${e?.message ?? res.statusText}` +
        (issues ? ` (${issues})` : ""),
    );
  }
  const spec = await readJson<JobSpec>(store, jobKeys(body.id).spec);
  if (!spec) {
    throw new JobError(
      "not_found",
      `The dispatcher at ${url.origin} started job "${body.id}", which store ${store.url} does ` +
        `not hold: the dispatcher serves another store`,
      { jobId: body.id },
    );
  }
  return new Job(store, spec, { created: body.created, started: body.started });
}

interface ErrorBody {
  code?: string;
  message?: string;
  issues?: { path: string; message: string }[];
}
