/**
 * Entry point of a local worker process: `deno run -A _worker_main.ts <store-url>`.
 *
 * Reads {@linkcode TaskRequest}s as JSON lines on stdin, runs each with the task runner, and
 * answers with one tagged {@linkcode TaskOutcome} line on stdout. A worker whose supervisor
 * dies (its stdin closes) finishes the attempt it is running, which records its result in the
 * store, and exits: a resubmission's supervisor waits for that attempt instead of running the
 * task a second time. Store options come from the
 * `SHARDLINE_STORE_OPTIONS` environment variable (JSON), the code cache folder from
 * `SHARDLINE_CODE_CACHE`.
 *
 * @module
 */
import { openStore } from "../store/open_store.ts";
import { runTask } from "../job/task_runner.ts";
import { jobKeys, type JobSpec } from "../job/job_spec.ts";
import { readJson } from "../job/job_records.ts";
import type { TaskOutcome, TaskRequest } from "./supervisor.ts";
import { OUTCOME_TAG } from "./_worker_pool.ts";
import { parseStoreOptions, STORE_OPTIONS_ENV } from "./_store_options.ts";

if (import.meta.main) {
  const [storeUrl] = Deno.args;
  if (!storeUrl) {
    console.error("usage: _worker_main.ts <store-url>");
    Deno.exit(2);
  }
  const storeOptions = parseStoreOptions(Deno.env.get(STORE_OPTIONS_ENV));
  // Credentials stay out of the job code's reach (its env, its subprocesses).
  Deno.env.delete(STORE_OPTIONS_ENV);
  const codeCacheDir = Deno.env.get("SHARDLINE_CODE_CACHE") || undefined;
  const store = await openStore(storeUrl, storeOptions);
  const encoder = new TextEncoder();
  const specs = new Map<string, Promise<JobSpec | undefined>>();
  let buf = "";
  for await (const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
    buf += chunk;
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const request = JSON.parse(buf.slice(0, nl)) as TaskRequest;
      buf = buf.slice(nl + 1);
      let outcome: TaskOutcome;
      try {
        // Job specs are written once (create-only): each is read once per worker, not per task.
        let spec = specs.get(request.jobId);
        if (!spec) {
          spec = readJson<JobSpec>(store, jobKeys(request.jobId).spec);
          specs.set(request.jobId, spec);
          spec.then((s) => s ?? specs.delete(request.jobId), () => specs.delete(request.jobId));
        }
        const job = (await spec) ?? request.jobId; // missing: the runner reports it
        const result = await runTask(store, { job, task: request.taskId }, {
          attempt: request.attempt,
          final: request.final,
          codeCacheDir,
        });
        outcome = {
          kind: "result",
          status: result.status,
          retryable: result.retryable ?? true,
          error: result.error,
          ...(result.warnings && { warnings: result.warnings }),
        };
      } catch (err) {
        outcome = { kind: "crashed", reason: err instanceof Error ? err.message : String(err) };
      }
      try {
        await Deno.stdout.write(encoder.encode(`${OUTCOME_TAG}${JSON.stringify(outcome)}\n`));
      } catch {
        // The supervisor is gone (killed): the attempt's result is in the store; stop here.
        await store.close?.();
        Deno.exit(0);
      }
    }
  }
  await store.close?.();
}
