/**
 * {@linkcode submit}: bundles a job module, stores the bundle, and either starts the job here
 * ({@linkcode startJob}: resolve the input, plan, record, hand to an executor) or posts it to a
 * dispatcher (`backend: "http"`); returns at once with a {@linkcode Job}.
 *
 * @module
 */
import type { OpenStoreOptions } from "../store/open_store.ts";
import type { Store } from "../store/store.ts";
import { bundleJob, type BundleJobOptions } from "../job/bundle_job.ts";
import type { Job } from "../job/job.ts";
import { codeKey } from "../job/job_spec.ts";
import { type JobRequest, type JobRequestOptions, startJob } from "./start_job.ts";
import { postJob } from "./_post_job.ts";

/** Options for {@linkcode submit}. */
export interface SubmitOptions extends JobRequestOptions {
  /** The job module: a path (relative to the cwd) or a `file:` URL, anywhere on disk. */
  job: string | URL;
  /**
   * Executor name (`"local"`, `"modal"`, ...), or `"http"`: post the job to the dispatcher at
   * `endpoint`, which runs it with its own backend and store credentials.
   * @default "local"
   */
  backend?: string;
  /** `backend: "http"`: the dispatcher's base URL (`http://127.0.0.1:8787`). */
  endpoint?: string | URL;
  /** `backend: "http"`: the dispatcher's bearer token. Sent in a header, stored nowhere. */
  token?: string;
  /** How executor processes open the store (S3 endpoint, credentials). @default {} */
  storeOptions?: OpenStoreOptions;
  /** Backend-specific options (local: `LocalExecutorOptions`, modal: `ModalExecutorOptions`). */
  backendOptions?: Record<string, unknown>;
  /** How to bundle the job module. */
  bundle?: BundleJobOptions;
}

/**
 * Submits a job and returns at once. The job id is a hash of the bundled code, the resolved
 * input shards (with their checksums, etags or mtimes), the params, the output and the task
 * plan, so the same submission twice is the same job: the second call finds it in the store,
 * starts an executor only when unfinished work has none (after a crash, say), and redoes
 * nothing that is done. A cancelled job is resumed.
 *
 * The bundle is stored first (`_code/<sha256>.js`, content-addressed), so that with
 * `backend: "http"` the request names it by hash: the dispatcher, which serves the same store,
 * reads it there. `status()` and `awaitResults()` read the store whatever the backend.
 *
 * @example
 * ```ts ignore
 * import { submit } from "./submit.ts";
 * const job = await submit(store, { input: "raw", output: "scored", job: "./score_job.ts" });
 * const results = await job.awaitResults();
 * const viaHttp = await submit(store, {
 *   input: "raw", output: "scored", job: "./score_job.ts",
 *   backend: "http", endpoint: "http://127.0.0.1:8787", token: Deno.env.get("SHARDLINE_TOKEN"),
 * });
 * ```
 */
export async function submit(store: Store, options: SubmitOptions): Promise<Job> {
  const {
    job,
    backend = "local",
    endpoint,
    token,
    storeOptions,
    backendOptions,
    bundle,
    ...rest
  } = options;
  const bundled = await bundleJob(job, bundle);
  const key = codeKey(bundled.hash);
  if (!(await store.head(key))) {
    await store.put(key, bundled.code, { contentType: "text/javascript" });
  }
  const request: JobRequest = { ...rest, code: { hash: bundled.hash }, module: bundled.module };
  // A dispatcher is no executor: it plans and starts the job itself, with its own backend.
  if (backend === "http") return await postJob(store, request, { endpoint, token });
  return await startJob(store, { ...request, backend, storeOptions, backendOptions });
}
