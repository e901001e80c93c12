/**
 * A {@linkcode TaskLauncher} that runs task attempts in this process (for `memory://` stores,
 * tests and notebooks that want no subprocesses).
 *
 * @module
 */
import type { Store } from "../store/store.ts";
import { runTask } from "../job/task_runner.ts";
import type { TaskLauncher, TaskOutcome, TaskRequest } from "./supervisor.ts";

/** Runs attempts with the task runner in this process. */
export class InProcessLauncher implements TaskLauncher {
  readonly #store: Store;
  readonly #abort = new AbortController();
  readonly #codeCacheDir?: string;

  constructor(store: Store, options: { codeCacheDir?: string } = {}) {
    this.#store = store;
    this.#codeCacheDir = options.codeCacheDir;
  }

  async run(request: TaskRequest): Promise<TaskOutcome> {
    try {
      const result = await runTask(this.#store, { job: request.jobId, task: request.taskId }, {
        attempt: request.attempt,
        final: request.final,
        codeCacheDir: this.#codeCacheDir,
        signal: this.#abort.signal,
      });
      return {
        kind: "result",
        status: result.status,
        retryable: result.retryable ?? true,
        error: result.error,
        ...(result.warnings && { warnings: result.warnings }),
      };
    } catch (err) {
      return { kind: "crashed", reason: err instanceof Error ? err.message : String(err) };
    }
  }

  abort(): Promise<void> {
    this.#abort.abort(new Error("cancelled"));
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
