/**
 * {@linkcode LocalExecutor}: the default backend. It starts a detached supervisor process that
 * runs the job's tasks in a pool of `deno` worker processes (one per core by default), so the
 * work goes on after the submitting cell, script or process is gone.
 *
 * @module
 */
import { hostname } from "node:os";
import { fileURLToPath } from "node:url";
import type { Store } from "../store/store.ts";
import { jobKeys, type JobSpec, type SupervisorMarker } from "../job/job_spec.ts";
import { writeJson } from "../job/_json.ts";
import { type Executor, type ExecutorStartOptions, registerExecutor } from "./executor.ts";
import { superviseJob } from "./supervisor.ts";
import { InProcessLauncher } from "./_in_process.ts";

/** Options for {@linkcode LocalExecutor}, also accepted as `submit({ backendOptions })`. */
export interface LocalExecutorOptions {
  /** The `deno` binary. @default Deno.execPath() */
  denoPath?: string;
  /** Where workers cache job code. @default `<tmpdir>/shardline-code` */
  codeCacheDir?: string;
  /**
   * Run tasks in this process instead of subprocesses (always so for `memory://` stores, which
   * other processes cannot see). The work then stops when this process exits.
   * @default false
   */
  inProcess?: boolean;
}

const supervisorMain = new URL("./_supervisor_main.ts", import.meta.url);
const config = new URL("../../deno.json", import.meta.url);
const inProcessJobs = new Set<Promise<unknown>>();

/**
 * Runs jobs on this machine. Registered as backend `"local"`.
 *
 * @example
 * ```ts
 * import { getExecutor } from "./executor.ts";
 * import "./local_executor.ts";
 * if (getExecutor("local").name !== "local") throw new Error("unexpected");
 * ```
 */
export class LocalExecutor implements Executor {
  readonly name = "local";
  readonly #options: LocalExecutorOptions;

  constructor(options: LocalExecutorOptions = {}) {
    this.#options = options;
  }

  /** Starts a supervisor for the job (detached process, or in-process) and returns. */
  async start(store: Store, spec: JobSpec, options: ExecutorStartOptions): Promise<void> {
    const o = { ...this.#options, ...(options.backendOptions as LocalExecutorOptions) };
    const concurrency = options.concurrency ?? spec.concurrency ??
      navigator.hardwareConcurrency ?? 1;
    if (o.inProcess || store.url.startsWith("memory:")) {
      const launcher = new InProcessLauncher(store, { codeCacheDir: o.codeCacheDir });
      const run = superviseJob(store, spec.id, { launcher, concurrency }).catch(() => {});
      inProcessJobs.add(run);
      run.finally(() => inProcessJobs.delete(run));
      return;
    }
    const env: Record<string, string> = { NO_COLOR: "1" };
    if (options.storeOptions) env.SHARDLINE_STORE_OPTIONS = JSON.stringify(options.storeOptions);
    if (o.codeCacheDir) env.SHARDLINE_CODE_CACHE = o.codeCacheDir;
    const local = (u: URL) => (u.protocol === "file:" ? fileURLToPath(u) : u.href);
    const child = new Deno.Command(o.denoPath ?? Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--quiet",
        "--config",
        local(config),
        local(supervisorMain),
        store.url,
        spec.id,
        String(concurrency),
        String(Math.min(concurrency, spec.tasks.length)),
      ],
      env,
      detached: true,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    child.unref();
    // Claim the job at once, so that status() shows it running before the child starts.
    const now = new Date().toISOString();
    const marker: SupervisorMarker = {
      backend: this.name,
      host: hostname(),
      pid: child.pid,
      concurrency,
      started_at: now,
      heartbeat_at: now,
    };
    await writeJson(store, jobKeys(spec.id).supervisor, marker);
  }
}

/** Resolves when every job this process runs in-process has stopped (tests, scripts). */
export async function drainInProcessJobs(): Promise<void> {
  while (inProcessJobs.size > 0) await Promise.all([...inProcessJobs]);
}

registerExecutor(new LocalExecutor());
