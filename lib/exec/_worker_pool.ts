/**
 * A {@linkcode TaskLauncher} over a pool of long-lived `deno` worker processes
 * (`_worker_main.ts`): one task at a time per worker, requests as JSON lines on stdin, outcomes
 * as tagged lines on stdout (other output is the job's own and kept as a short log tail).
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import type { OpenStoreOptions } from "../store/open_store.ts";
import type { TaskLauncher, TaskOutcome, TaskRequest } from "./supervisor.ts";
import { executorEnv } from "./executor_env.ts";

/** Prefix of protocol lines on a worker's stdout. */
export const OUTCOME_TAG = "\x1eshardline-outcome ";

/** Options for {@linkcode WorkerPool}. */
export interface WorkerPoolOptions {
  /** The store URL workers open. */
  storeUrl: string;
  /** How workers open it (passed through the environment, never argv). */
  storeOptions?: OpenStoreOptions;
  /** @default Deno.execPath() */
  denoPath?: string;
  /** Where workers cache job code. @default the runner's default */
  codeCacheDir?: string;
}

interface Worker {
  child: Deno.ChildProcess;
  writer: WritableStreamDefaultWriter<Uint8Array>;
  pending?: { resolve: (o: TaskOutcome) => void; jobId: string };
  tail: string[];
  exited: boolean;
  /** Set when the worker was killed for running past a timeout (ms). */
  timedOut?: number;
}

const workerMain = new URL("./_worker_main.ts", import.meta.url);
const config = new URL("../../deno.json", import.meta.url);

/** Runs task attempts in a pool of worker subprocesses, spawned on demand. */
export class WorkerPool implements TaskLauncher {
  readonly #options: WorkerPoolOptions;
  readonly #idle: Worker[] = [];
  readonly #all = new Set<Worker>();

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
  }

  /** Runs one attempt in an idle (or new) worker. */
  run(request: TaskRequest): Promise<TaskOutcome> {
    const worker = this.#idle.pop() ?? this.#spawn();
    let timer: ReturnType<typeof setTimeout> | undefined;
    return new Promise<TaskOutcome>((resolve) => {
      worker.pending = { resolve, jobId: request.jobId };
      worker.tail.length = 0;
      if (request.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          worker.timedOut = request.timeoutMs;
          worker.child.kill("SIGKILL");
        }, request.timeoutMs);
      }
      const line = new TextEncoder().encode(JSON.stringify(request) + "\n");
      worker.writer.write(line).catch(() => {}); // an exit settles the request
    }).then((outcome) => {
      clearTimeout(timer);
      if (!worker.exited) this.#idle.push(worker);
      return outcome;
    });
  }

  /** Starts `n` workers ahead of the first attempts (they boot meanwhile). */
  warm(n: number): void {
    while (this.#all.size < n) this.#idle.push(this.#spawn());
  }

  /** Kills every worker; pending attempts settle as crashed. */
  abort(): Promise<void> {
    for (const w of this.#all) if (!w.exited) w.child.kill("SIGKILL");
    return Promise.resolve();
  }

  /** Kills the workers running attempts of job `jobId` (a cancel); the others go on. */
  abortJob(jobId: string): Promise<void> {
    for (const w of this.#all) {
      if (!w.exited && w.pending?.jobId === jobId) w.child.kill("SIGKILL");
    }
    return Promise.resolve();
  }

  /**
   * A launcher for one job's attempts in this shared pool: its `abort` stops that job's
   * attempts only, its `close` leaves the workers running for the next job.
   */
  forJob(jobId: string): TaskLauncher {
    return {
      run: (request) => this.run(request),
      abort: () => this.abortJob(jobId),
      close: () => Promise.resolve(),
      warm: (n) => this.warm(n),
    };
  }

  /** Ends idle workers (closing their stdin) and waits for them. */
  async close(): Promise<void> {
    const all = [...this.#all];
    await Promise.all(all.map((w) => w.writer.close().catch(() => {})));
    await Promise.all(all.map((w) => w.child.status));
  }

  #spawn(): Worker {
    const o = this.#options;
    const env = executorEnv({
      storeOptions: o.storeOptions,
      set: o.codeCacheDir ? { SHARDLINE_CODE_CACHE: o.codeCacheDir } : {},
    });
    const local = (u: URL) => (u.protocol === "file:" ? fileURLToPath(u) : u.href);
    const child = new Deno.Command(o.denoPath ?? Deno.execPath(), {
      args: ["run", "-A", "--quiet", "--config", local(config), local(workerMain), o.storeUrl],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      clearEnv: true, // the allow-list only (see executor_env.ts)
      env,
    }).spawn();
    const worker: Worker = { child, writer: child.stdin.getWriter(), tail: [], exited: false };
    this.#all.add(worker);
    const keep = (line: string) => {
      worker.tail.push(line.slice(0, 500));
      if (worker.tail.length > 20) worker.tail.shift();
    };
    const stdout = readLines(child.stdout, (line) => {
      if (!line.startsWith(OUTCOME_TAG)) return keep(line);
      const p = worker.pending;
      worker.pending = undefined;
      p?.resolve(JSON.parse(line.slice(OUTCOME_TAG.length)) as TaskOutcome);
    });
    const stderr = readLines(child.stderr, keep);
    Promise.all([child.status, stdout, stderr]).then(([status]) => {
      worker.exited = true;
      this.#all.delete(worker);
      const i = this.#idle.indexOf(worker);
      if (i >= 0) this.#idle.splice(i, 1);
      const p = worker.pending;
      worker.pending = undefined;
      if (!p) return;
      const how = worker.timedOut !== undefined
        ? `killed after the task timeout of ${worker.timedOut} ms`
        : status.signal
        ? `killed by ${status.signal}`
        : `exited with code ${status.code}`;
      const tail = worker.tail.slice(-5).join(" | ");
      p.resolve({ kind: "crashed", reason: `worker process ${how}${tail ? `: ${tail}` : ""}` });
    });
    return worker;
  }
}

async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  let buf = "";
  try {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        onLine(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    }
  } catch { /* the process died */ }
  if (buf) onLine(buf);
}
