/**
 * Entry point that runs ONE task attempt and exits, for backends that schedule tasks
 * themselves (Modal runs it in its containers):
 *
 * ```
 * deno run -A --config <shardline>/deno.json lib/exec/_task_main.ts <store-url> <job-id> <task-id>
 *   [--attempt N] [--not-final]
 * ```
 *
 * The result is recorded in the store by the task runner (as for local workers); one JSON line
 * with the outcome goes to stdout. Exit code: 0 ok, 1 failed (retry may help), 3 failed (a retry
 * cannot help: policy exceeded, job code broken, corrupt input), 2 usage or no such job/task. Store options come
 * from `SHARDLINE_STORE_OPTIONS` (JSON), the code cache folder from `SHARDLINE_CODE_CACHE`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { openStore } from "../store/open_store.ts";
import { runTask } from "../job/task_runner.ts";
import { parseStoreOptions, STORE_OPTIONS_ENV } from "./_store_options.ts";

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: { attempt: { type: "string" }, "not-final": { type: "boolean" } },
  });
  const [storeUrl, jobId, taskId] = positionals;
  if (!storeUrl || !jobId || !taskId) {
    console.error(
      "usage: _task_main.ts <store-url> <job-id> <task-id> [--attempt N] [--not-final]",
    );
    Deno.exit(2);
  }
  const storeOptions = parseStoreOptions(Deno.env.get(STORE_OPTIONS_ENV));
  // Credentials stay out of the job code's reach (its env, its subprocesses).
  Deno.env.delete(STORE_OPTIONS_ENV);
  const store = await openStore(storeUrl, storeOptions);
  const result = await runTask(store, { job: jobId, task: taskId }, {
    attempt: values.attempt ? Number(values.attempt) : 1,
    final: !values["not-final"],
    codeCacheDir: Deno.env.get("SHARDLINE_CODE_CACHE") || undefined,
  }).catch((err) => {
    console.error(err instanceof Error ? err.message : String(err));
    Deno.exit((err as { code?: string })?.code === "not_found" ? 2 : 1);
  });
  await store.close?.();
  console.log(JSON.stringify({
    task_id: result.task_id,
    status: result.status,
    retryable: result.retryable ?? true,
    error: result.error,
    samples_in: result.samples_in,
    samples_out: result.samples_out,
    ...(result.warnings && { warnings: result.warnings }),
  }));
  Deno.exit(result.status === "ok" ? 0 : result.retryable === false ? 3 : 1);
}
