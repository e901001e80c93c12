/**
 * {@linkcode LocalExecutor}: the default backend. It starts a detached supervisor process that
 * runs the job's tasks in a pool of `deno` worker processes (one per core by default), so the
 * work goes on after the submitting cell, script or process is gone.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Store } from "../store/store.ts";
import { jobKeys, type JobSpec, type SupervisorMarker } from "../job/job_spec.ts";
import { writeJson } from "../job/job_records.ts";
import { JobError } from "../job/job_error.ts";
import { privateDir } from "../util/private_dir.ts";
import { processIds } from "../util/process_identity.ts";
import { type Executor, type ExecutorStartOptions, registerExecutor } from "./executor.ts";
import { superviseJob } from "./supervisor.ts";
import { InProcessLauncher } from "./_in_process.ts";
import { STORE_OPTIONS_ENV } from "./_store_options.ts";
import { executorEnv } from "./executor_env.ts";
import { agentSocket, askAgent } from "./_agent.ts";

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
  /**
   * Folder of the supervisors' logs (`<logDir>/<job-id>/supervisor.log`), kept outside the
   * store: a supervisor that dies before it can record anything tells why there.
   * @default `<os tmpdir>/shardline/jobs`
   */
  logDir?: string;
  /**
   * How long a local supervisor stays up after its last job, with its worker processes, to
   * take the next job on the same store at once (warm workers: no process start, code already
   * compiled). `0`: each job gets its own supervisor, which exits when the job is done.
   * @default 30000
   */
  keepAliveMs?: number;
  /**
   * How attempts run: `"workers"`, in a pool of long-lived worker processes (warm: code loaded
   * once per worker); `"processes"`, each attempt as its own `taskCommand()` process,
   * the command Modal's task function runs (no warm start, no keep-alive).
   * @default "workers"
   */
  launcher?: "workers" | "processes";
}

/**
 * Where the local supervisor of job `jobId` logs: `<logDir>/<job-id>/supervisor.log`.
 *
 * @example
 * ```ts
 * import { supervisorLogPath } from "./local_executor.ts";
 * const path = supervisorLogPath("j-0123", { logDir: "/var/tmp/logs" });
 * if (path !== "/var/tmp/logs/j-0123/supervisor.log") throw new Error(path);
 * ```
 */
export function supervisorLogPath(jobId: string, options: { logDir?: string } = {}): string {
  return join(options.logDir ?? join(tmpdir(), "shardline", "jobs"), jobId, "supervisor.log");
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
    // An allow-list, not this process's environment: credentials in AWS_* or R2_* variables
    // must not reach job code (the store's options travel in their own variable).
    const env = executorEnv({
      storeOptions: options.storeOptions,
      set: {
        ...(o.codeCacheDir && { SHARDLINE_CODE_CACHE: o.codeCacheDir }),
        ...(o.launcher === "processes" && { SHARDLINE_LAUNCHER: "processes" }),
        ...(o.denoPath && { SHARDLINE_DENO: o.denoPath }),
      },
    });
    const local = (u: URL) => (u.protocol === "file:" ? fileURLToPath(u) : u.href);
    // node:child_process, because it can send the child's stdout and stderr to a file (the
    // supervisor outlives this process: nobody would read a pipe), and Deno.Command cannot.
    // A log that cannot be opened (a folder another user owns) is not worth failing the job.
    let log: string | undefined = supervisorLogPath(spec.id, { logDir: o.logDir });
    let fd: number | "ignore" = "ignore";
    try {
      // Another user's folder (made first in a shared temp folder) gets no log of ours.
      if (!(await privateDir(dirname(log)))) throw new Error("not a private folder");
      fd = openSync(log, "a", 0o600);
      env.SHARDLINE_SUPERVISOR_LOG = log;
    } catch {
      log = undefined;
    }
    // A warm agent runs workers: a job that asks for processes gets its own supervisor.
    const keepAliveMs = o.launcher === "processes" ? 0 : o.keepAliveMs ?? 30_000;
    const denoPath = o.denoPath ?? Deno.execPath();
    const socket = keepAliveMs > 0
      ? await agentSocket({
        denoPath,
        storeUrl: store.url,
        storeOptions: env[STORE_OPTIONS_ENV] ?? "",
        codeCacheDir: o.codeCacheDir,
      })
      : undefined;
    // A warm supervisor of this store takes the job at once (and claims it in the store);
    // one that took it must not be doubled, unless its run ended without a claim.
    const answer = socket ? await askAgent(socket, { job: spec.id, concurrency, log }) : undefined;
    if (answer && answer.claimed !== false) {
      if (fd !== "ignore") closeSync(fd);
      return;
    }
    let pid: number | undefined;
    try {
      const child = spawn(denoPath, [
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
        ...(socket ? [socket, String(keepAliveMs)] : []),
      ], {
        detached: true,
        stdio: ["ignore", fd, fd],
        env, // node replaces the environment with this one
      });
      child.on("error", () => {}); // a missing binary: no pid, reported below
      child.unref();
      pid = child.pid;
    } finally {
      if (fd !== "ignore") closeSync(fd);
    }
    if (pid === undefined) {
      throw new JobError("executor_failed", `Cannot start the local executor for job "${spec.id}"`);
    }
    // The supervisor is running: a record that cannot be written now is no failed start (the
    // claim would be given back, and a second supervisor started); it writes its own.
    await this.#claim(store, spec, pid, concurrency, log).catch(() => {});
  }

  /** Claims the job at once, so that status() shows it running before the supervisor starts. */
  async #claim(store: Store, spec: JobSpec, pid: number, concurrency: number, log?: string) {
    const now = new Date().toISOString();
    const marker: SupervisorMarker = {
      backend: this.name,
      host: hostname(),
      pid,
      ...processIds(pid), // read now: the child is running (a pid reused later does not match)
      concurrency,
      started_at: now,
      heartbeat_at: now,
      ...(log && { log }),
      starting: true,
    };
    await writeJson(store, jobKeys(spec.id).supervisor, marker);
  }
}

/** Resolves when every job this process runs in-process has stopped (tests, scripts). */
export async function drainInProcessJobs(): Promise<void> {
  while (inProcessJobs.size > 0) await Promise.all([...inProcessJobs]);
}

registerExecutor(new LocalExecutor());
