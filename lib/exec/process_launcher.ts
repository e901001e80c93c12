/**
 * {@linkcode ProcessLauncher}: a {@linkcode TaskLauncher} that runs each task attempt as its own
 * process, the {@linkcode taskCommand} that Modal's task function runs too. No process is
 * reused (so no warm start: the local executor's worker pool is the fast path); each attempt
 * starts clean, in shardline's root folder, with the allow-listed environment.
 *
 * @module
 */
import type { OpenStoreOptions } from "../store/open_store.ts";
import type { TaskLauncher, TaskOutcome, TaskRequest } from "./supervisor.ts";
import { SHARDLINE_ROOT, taskCommand } from "./task_command.ts";
import { executorEnv } from "./executor_env.ts";
import { taskOutcome } from "./_task_outcome.ts";

/** Options for {@linkcode ProcessLauncher}. */
export interface ProcessLauncherOptions {
  /** The store URL the attempts open. */
  storeUrl: string;
  /** How they open it (passed through the environment, never argv). @default {} */
  storeOptions?: OpenStoreOptions;
  /** The `deno` binary. @default Deno.execPath() */
  denoPath?: string;
  /** Where attempts cache job code. @default the runner's default */
  codeCacheDir?: string;
}

/**
 * Runs attempts as `taskCommand()` processes.
 *
 * @example
 * ```ts ignore
 * import { ProcessLauncher } from "./process_launcher.ts";
 * import { superviseJob } from "./supervisor.ts";
 * const launcher = new ProcessLauncher({ storeUrl: store.url });
 * await superviseJob(store, jobId, { launcher, concurrency: 2 });
 * ```
 */
export class ProcessLauncher implements TaskLauncher {
  readonly #options: ProcessLauncherOptions;
  readonly #running = new Map<Deno.ChildProcess, string>();

  constructor(options: ProcessLauncherOptions) {
    this.#options = options;
  }

  /** Runs one attempt in a new process and reads its outcome. */
  async run(request: TaskRequest): Promise<TaskOutcome> {
    const o = this.#options;
    const [bin, ...args] = taskCommand(o.storeUrl, request, {
      deno: o.denoPath ?? Deno.execPath(),
    });
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(bin!, {
        args,
        cwd: SHARDLINE_ROOT,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        clearEnv: true, // the allow-list only (see executor_env.ts)
        env: executorEnv({
          storeOptions: o.storeOptions,
          set: o.codeCacheDir ? { SHARDLINE_CODE_CACHE: o.codeCacheDir } : {},
        }),
      }).spawn();
    } catch (err) {
      return {
        kind: "crashed",
        reason: `cannot start the task process: ${(err as Error).message}`,
      };
    }
    this.#running.set(child, request.jobId);
    let timedOut = false;
    const timer = request.timeoutMs === undefined ? undefined : setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, request.timeoutMs);
    try {
      const [status, stdout, stderr] = await Promise.all([
        child.status,
        new Response(child.stdout).text(),
        new Response(child.stderr).text(),
      ]);
      if (timedOut) {
        return {
          kind: "crashed",
          reason: `task process killed after the task timeout of ${request.timeoutMs} ms`,
        };
      }
      return taskOutcome({
        exit: status.signal ? null : status.code,
        signal: status.signal,
        stdout,
        stderr,
      });
    } finally {
      clearTimeout(timer);
      this.#running.delete(child);
    }
  }

  /** Kills every running attempt; their `run` calls settle as crashed. */
  abort(): Promise<void> {
    for (const child of this.#running.keys()) {
      try {
        child.kill("SIGKILL");
      } catch { /* exited */ }
    }
    return Promise.resolve();
  }

  /** Kills the running attempts of job `jobId` only. */
  abortJob(jobId: string): Promise<void> {
    for (const [child, job] of this.#running) {
      if (job !== jobId) continue;
      try {
        child.kill("SIGKILL");
      } catch { /* exited */ }
    }
    return Promise.resolve();
  }

  /** A launcher for one job's attempts: `abort` stops that job's only; `close` nothing. */
  forJob(jobId: string): TaskLauncher {
    return {
      run: (request) => this.run(request),
      abort: () => this.abortJob(jobId),
      close: () => Promise.resolve(),
    };
  }

  /** Nothing to warm: every attempt starts its own process. */
  warm(_n: number): void {}

  /** Nothing to release (attempts end with their processes). */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
