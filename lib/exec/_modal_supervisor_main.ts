/**
 * Entry point of a job's supervisor in a Modal container (or the local stand-in):
 *
 * ```
 * deno run -A --config deno.json lib/exec/_modal_supervisor_main.ts <store-url> <job-id>
 *   <concurrency> [--backend NAME]
 * ```
 *
 * It runs {@linkcode superviseJob} (retries, backoff, crash records, heartbeat, cancel: the
 * local executor's loop) with a launcher that does not run attempts itself: it asks its parent,
 * the Python supervisor function of `modal/app.py`, to run each attempt's `taskCommand()` in a
 * task container (`task.spawn(argv)`), as protocol lines on stdout, and reads the outcomes on
 * stdin:
 *
 * ```
 * stdout  \x1eshardline-modal {"run": {"id": 7, "task": "task-000003", "attempt": 1, "argv": [...]}}
 * stdout  \x1eshardline-modal {"cancel": 7}           (the attempt ran past its timeout)
 * stdout  \x1eshardline-modal {"abort": true}         (the job was cancelled)
 * stdin   {"id": 7, "exit": 0, "stdout": "...", "stderr": "...", "signal": null}
 * stdin   {"id": 7, "error": "..."}                   (the call failed after Modal's retries)
 * ```
 *
 * Store options come from `SHARDLINE_STORE_OPTIONS` (JSON; on Modal, from the Secret) and are
 * removed from the environment once read. Exits 0 when the job's run ended, 1 when it failed.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { openStore } from "../store/open_store.ts";
import { superviseJob, type TaskLauncher, type TaskOutcome } from "./supervisor.ts";
import { taskCommand } from "./task_command.ts";
import { taskOutcome } from "./_task_outcome.ts";
import { parseStoreOptions, STORE_OPTIONS_ENV } from "./_store_options.ts";

/** Prefix of protocol lines on stdout. */
export const MODAL_TAG = "\x1eshardline-modal ";

/** One answer on stdin. */
interface Reply {
  id: number;
  exit?: number | null;
  signal?: string | null;
  stdout?: string;
  stderr?: string;
  error?: string;
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: { backend: { type: "string" } },
  });
  const [storeUrl, jobId, concurrency] = positionals;
  if (!storeUrl || !jobId) {
    console.error(
      "usage: _modal_supervisor_main.ts <store-url> <job-id> [concurrency] [--backend NAME]",
    );
    Deno.exit(2);
  }
  const storeOptions = parseStoreOptions(Deno.env.get(STORE_OPTIONS_ENV));
  Deno.env.delete(STORE_OPTIONS_ENV);
  const store = await openStore(storeUrl, storeOptions);
  const encoder = new TextEncoder();
  let writing = Promise.resolve();
  const say = (message: unknown) => {
    const line = encoder.encode(MODAL_TAG + JSON.stringify(message) + "\n");
    writing = writing.then(() => Deno.stdout.write(line).then(() => {}));
    return writing;
  };
  const pending = new Map<number, (o: TaskOutcome) => void>();
  let next = 1;

  // Outcomes arrive on stdin in any order; stdin closing means the parent is gone.
  const reading = (async () => {
    let buf = "";
    for await (const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line) continue;
        const reply = JSON.parse(line) as Reply;
        const resolve = pending.get(reply.id);
        if (!resolve) continue;
        pending.delete(reply.id);
        resolve(
          reply.error !== undefined
            ? { kind: "crashed", reason: `task call failed: ${reply.error}` }
            : taskOutcome({
              exit: reply.exit ?? null,
              signal: reply.signal,
              stdout: reply.stdout ?? "",
              stderr: reply.stderr ?? "",
            }),
        );
      }
    }
    for (const [id, resolve] of pending) {
      pending.delete(id);
      resolve({ kind: "crashed", reason: "the supervisor function is gone" });
    }
  })();

  const launcher: TaskLauncher = {
    run(request) {
      const id = next++;
      const argv = taskCommand(storeUrl, request);
      return new Promise<TaskOutcome>((resolve) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        pending.set(id, (o) => {
          clearTimeout(timer);
          resolve(o);
        });
        if (request.timeoutMs !== undefined) {
          timer = setTimeout(() => {
            if (!pending.delete(id)) return;
            void say({ cancel: id });
            resolve({
              kind: "crashed",
              reason: `task call cancelled after the task timeout of ${request.timeoutMs} ms`,
            });
          }, request.timeoutMs);
        }
        void say({ run: { id, task: request.taskId, attempt: request.attempt, argv } });
      });
    },
    async abort() {
      await say({ abort: true });
      for (const [id, resolve] of pending) {
        pending.delete(id);
        resolve({ kind: "crashed", reason: "cancelled" });
      }
    },
    close: () => Promise.resolve(),
  };

  let code = 0;
  try {
    const summary = await superviseJob(store, jobId, {
      launcher,
      concurrency: concurrency ? Number(concurrency) : undefined,
      backend: values.backend ?? "modal",
    });
    await say({ done: summary });
  } catch (err) {
    console.error(`supervisor of job ${jobId} failed: ${(err as Error)?.message ?? err}`);
    code = 1;
  }
  await writing;
  await store.close?.();
  void reading;
  Deno.exit(code);
}
