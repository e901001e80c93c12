/**
 * Executors run a submitted job's tasks somewhere: a table of backends by name
 * (`"local"` built in; `"modal"` and others register themselves).
 *
 * @module
 */
import type { OpenStoreOptions } from "../store/open_store.ts";
import type { Store } from "../store/store.ts";
import type { JobSpec } from "../job/job_spec.ts";
import { JobError } from "../job/job_error.ts";

/** What {@linkcode Executor.start} gets besides the store and the job. */
export interface ExecutorStartOptions {
  /** Tasks in flight at once. @default the backend's (local: one per core) */
  concurrency?: number;
  /** How the executor's own processes open the store (S3 endpoint, credentials). */
  storeOptions?: OpenStoreOptions;
  /** Backend-specific settings. */
  backendOptions?: Record<string, unknown>;
}

/** A backend that runs a job's tasks. */
export interface Executor {
  /** The backend name, as `submit({ backend })` names it. */
  readonly name: string;
  /**
   * Starts (or resumes) running the job's unfinished tasks and returns at once. The work goes
   * on without the caller; progress and results are recorded in the store. The executor's
   * record (`_jobs/<id>/supervisor.json`, a `SupervisorMarker`) should be written
   * before this resolves: a caller that lost the start claim to this one waits for it, and
   * after 10 s starts another executor.
   */
  start(store: Store, spec: JobSpec, options: ExecutorStartOptions): Promise<void>;
}

const executors = new Map<string, Executor>();

/**
 * Registers (or replaces) a backend under its name.
 *
 * @example
 * ```ts
 * import { getExecutor, registerExecutor } from "./executor.ts";
 * registerExecutor({ name: "noop", start: () => Promise.resolve() });
 * if (getExecutor("noop").name !== "noop") throw new Error("unexpected");
 * ```
 */
export function registerExecutor(executor: Executor): void {
  executors.set(executor.name, executor);
}

/** The backend registered under `name`; throws {@linkcode JobError} `"unknown_backend"`. */
export function getExecutor(name: string): Executor {
  const executor = executors.get(name);
  if (!executor) {
    throw new JobError(
      "unknown_backend",
      `Unknown backend "${name}" (registered: ${[...executors.keys()].join(", ") || "none"})`,
    );
  }
  return executor;
}

/** Names of the registered backends. */
export function executorNames(): string[] {
  return [...executors.keys()];
}
