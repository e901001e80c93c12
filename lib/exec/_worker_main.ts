/**
 * Entry point of a local worker process: `deno run -A _worker_main.ts <store-url>`.
 *
 * Reads {@linkcode TaskRequest}s as JSON lines on stdin, runs each with the task runner, and
 * answers with one tagged {@linkcode TaskOutcome} line on stdout. Store options come from the
 * `SHARDLINE_STORE_OPTIONS` environment variable (JSON), the code cache folder from
 * `SHARDLINE_CODE_CACHE`.
 *
 * @module
 */
import { openStore } from "../store/open_store.ts";
import { runTask } from "../job/task_runner.ts";
import type { TaskOutcome, TaskRequest } from "./supervisor.ts";
import { OUTCOME_TAG } from "./_worker_pool.ts";

if (import.meta.main) {
  const [storeUrl] = Deno.args;
  if (!storeUrl) {
    console.error("usage: _worker_main.ts <store-url>");
    Deno.exit(2);
  }
  const storeOptions = JSON.parse(Deno.env.get("SHARDLINE_STORE_OPTIONS") ?? "{}");
  const codeCacheDir = Deno.env.get("SHARDLINE_CODE_CACHE") || undefined;
  const store = await openStore(storeUrl, storeOptions);
  const encoder = new TextEncoder();
  let buf = "";
  for await (const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
    buf += chunk;
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const request = JSON.parse(buf.slice(0, nl)) as TaskRequest;
      buf = buf.slice(nl + 1);
      let outcome: TaskOutcome;
      try {
        const result = await runTask(store, { job: request.jobId, task: request.taskId }, {
          attempt: request.attempt,
          final: request.final,
          codeCacheDir,
        });
        outcome = {
          kind: "result",
          status: result.status,
          retryable: result.retryable ?? true,
          error: result.error,
        };
      } catch (err) {
        outcome = { kind: "crashed", reason: err instanceof Error ? err.message : String(err) };
      }
      await Deno.stdout.write(encoder.encode(`${OUTCOME_TAG}${JSON.stringify(outcome)}\n`));
    }
  }
  await store.close?.();
}
