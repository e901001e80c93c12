/**
 * Entry point of the detached local supervisor:
 * `deno run -A _supervisor_main.ts <store-url> <job-id> [concurrency]`.
 *
 * Runs the job's unfinished tasks in a {@linkcode WorkerPool} until they are done or the job is
 * cancelled, then exits. Store options come from `SHARDLINE_STORE_OPTIONS` (JSON), the code
 * cache folder from `SHARDLINE_CODE_CACHE`. Errors end up in `_jobs/<id>/supervisor.json`.
 *
 * @module
 */
import { openStore } from "../store/open_store.ts";
import { superviseJob } from "./supervisor.ts";
import { WorkerPool } from "./_worker_pool.ts";

if (import.meta.main) {
  const [storeUrl, jobId, concurrency] = Deno.args;
  if (!storeUrl || !jobId) {
    console.error("usage: _supervisor_main.ts <store-url> <job-id> [concurrency]");
    Deno.exit(2);
  }
  const storeOptions = JSON.parse(Deno.env.get("SHARDLINE_STORE_OPTIONS") ?? "{}");
  const codeCacheDir = Deno.env.get("SHARDLINE_CODE_CACHE") || undefined;
  const store = await openStore(storeUrl, storeOptions);
  const launcher = new WorkerPool({ storeUrl, storeOptions, codeCacheDir });
  try {
    await superviseJob(store, jobId, {
      launcher,
      concurrency: concurrency ? Number(concurrency) : undefined,
    });
  } finally {
    await store.close?.();
  }
}
