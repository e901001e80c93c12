/**
 * Entry point of the detached local supervisor:
 * `deno run -A _supervisor_main.ts <store-url> <job-id> [concurrency] [workers]`.
 *
 * Runs the job's unfinished tasks in a {@linkcode WorkerPool} until they are done or the job is
 * cancelled, then exits. `workers` worker processes are started first thing, so that they boot
 * while this process loads the rest of its code and reads the job. Store options come from
 * `SHARDLINE_STORE_OPTIONS` (JSON), the code cache folder from `SHARDLINE_CODE_CACHE`. Errors
 * end up in `_jobs/<id>/supervisor.json`; this process's own output goes wherever its parent
 * sent it (the local executor: a log file, see `supervisorLogPath`).
 *
 * @module
 */
import { WorkerPool } from "./_worker_pool.ts";

if (import.meta.main) {
  const [storeUrl, jobId, concurrency, workers] = Deno.args;
  if (!storeUrl || !jobId) {
    console.error("usage: _supervisor_main.ts <store-url> <job-id> [concurrency] [workers]");
    Deno.exit(2);
  }
  const storeOptions = JSON.parse(Deno.env.get("SHARDLINE_STORE_OPTIONS") ?? "{}");
  const codeCacheDir = Deno.env.get("SHARDLINE_CODE_CACHE") || undefined;
  const launcher = new WorkerPool({ storeUrl, storeOptions, codeCacheDir });
  if (workers) launcher.warm(Number(workers));
  const { openStore } = await import("../store/open_store.ts");
  const { superviseJob } = await import("./supervisor.ts");
  const store = await openStore(storeUrl, storeOptions);
  try {
    await superviseJob(store, jobId, {
      launcher,
      concurrency: concurrency ? Number(concurrency) : undefined,
    });
  } finally {
    await launcher.close();
    await store.close?.();
  }
}
