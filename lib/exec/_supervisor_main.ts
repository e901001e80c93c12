/**
 * Entry point of the detached local supervisor:
 * `deno run -A _supervisor_main.ts <store-url> <job-id> [concurrency] [workers]`.
 *
 * Runs the job's unfinished tasks in a {@linkcode WorkerPool} until they are done or the job is
 * cancelled, then exits. `workers` worker processes are started first thing, so that they boot
 * while this process loads the rest of its code and reads the job. Store options come from
 * `SHARDLINE_STORE_OPTIONS` (JSON), the code cache folder from `SHARDLINE_CODE_CACHE`, the path
 * of the log that its parent sends its stdout and stderr to from `SHARDLINE_SUPERVISOR_LOG`
 * (recorded in `_jobs/<id>/supervisor.json`). It logs its start, attempts that did not succeed
 * and its end; never the store options.
 *
 * @module
 */
import { WorkerPool } from "./_worker_pool.ts";
import { parseStoreOptions, STORE_OPTIONS_ENV } from "./_store_options.ts";

if (import.meta.main) {
  const [storeUrl, jobId, concurrency, workers] = Deno.args;
  if (!storeUrl || !jobId) {
    console.error("usage: _supervisor_main.ts <store-url> <job-id> [concurrency] [workers]");
    Deno.exit(2);
  }
  const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);
  log(`supervisor ${Deno.pid} starts job ${jobId} on ${storeUrl}`);
  const storeOptions = parseStoreOptions(Deno.env.get(STORE_OPTIONS_ENV));
  // Credentials stay out of the job code's reach (its env, its subprocesses).
  Deno.env.delete(STORE_OPTIONS_ENV);
  const codeCacheDir = Deno.env.get("SHARDLINE_CODE_CACHE") || undefined;
  const pool = new WorkerPool({ storeUrl, storeOptions, codeCacheDir });
  if (workers) pool.warm(Number(workers));
  const { openStore } = await import("../store/open_store.ts");
  const { superviseJob } = await import("./supervisor.ts");
  const store = await openStore(storeUrl, storeOptions);
  const launcher = {
    run: async (request: Parameters<WorkerPool["run"]>[0]) => {
      const outcome = await pool.run(request);
      const what = `${request.taskId} attempt ${request.attempt}`;
      if (outcome.kind === "crashed") log(`${what} crashed: ${outcome.reason}`);
      else if (outcome.status !== "ok") log(`${what} failed: ${outcome.error ?? "?"}`);
      return outcome;
    },
    abort: () => pool.abort(),
    close: () => pool.close(),
    warm: (n: number) => pool.warm(n),
  };
  try {
    const summary = await superviseJob(store, jobId, {
      launcher,
      concurrency: concurrency ? Number(concurrency) : undefined,
      log: Deno.env.get("SHARDLINE_SUPERVISOR_LOG") || undefined,
    });
    log(
      `supervisor ${Deno.pid} ends job ${jobId}: ${summary.ok} ok, ${summary.failed} failed, ` +
        `${summary.alreadyDone} done before, ${summary.attempts} attempts` +
        (summary.cancelled ? ", cancelled" : ""),
    );
  } finally {
    await pool.close();
    await store.close?.();
  }
}
