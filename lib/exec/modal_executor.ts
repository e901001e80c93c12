/**
 * {@linkcode ModalExecutor}: backend `"modal"`. It starts a job on Modal by spawning the
 * supervisor function that `modal/app.py` deploys (through the `modal` npm SDK, loaded only
 * when a job starts), records the executor like the local backend does, and returns. In the
 * container, the supervisor runs the TypeScript supervisor loop (retries, backoff, heartbeat,
 * cancel) and fans the attempts out to the task function with `spawn`; each task container
 * runs the attempt's `taskCommand()`, the command the local `"processes"` launcher runs.
 *
 * Store credentials never travel with the job: Modal's containers read them from a Modal
 * Secret (`SHARDLINE_STORE_OPTIONS`, see the README). The store must be one the containers can
 * reach (`s3://`, R2).
 *
 * @module
 */
import { hostname } from "node:os";
import type { Store } from "../store/store.ts";
import { JobError } from "../job/job_error.ts";
import { jobKeys, type JobSpec, type SupervisorMarker } from "../job/job_spec.ts";
import { writeJson } from "../job/job_records.ts";
import { type Executor, type ExecutorStartOptions, registerExecutor } from "./executor.ts";
import { modalSupervisorCommand } from "./task_command.ts";
import { EXECUTOR_ENV_ALLOW } from "./executor_env.ts";

/** What the supervisor function receives (one JSON-able argument). */
export interface SupervisorRequest {
  /** The job. */
  job_id: string;
  /** The store, as the containers open it. */
  store_url: string;
  /** The supervisor's command line, run as given in shardline's root folder. */
  argv: string[];
  /** The variables the container may pass to `deno` processes (plus the store options). */
  env_allow: string[];
}

/** Starts the supervisor somewhere; resolves to an id of the started call. */
export type SupervisorSpawner = (request: SupervisorRequest) => Promise<string>;

/** Options for {@linkcode ModalExecutor}, also accepted as `submit({ backendOptions })`. */
export interface ModalExecutorOptions {
  /** The deployed app's name (`modal/app.py` reads `SHARDLINE_MODAL_APP`). @default "shardline" */
  app?: string;
  /** The Modal environment. @default the SDK's (the profile's, or `MODAL_ENVIRONMENT`) */
  environment?: string;
  /** Modal token id. @default the SDK's lookup (`MODAL_TOKEN_ID`, `~/.modal.toml`) */
  tokenId?: string;
  /** Modal token secret. @default the SDK's lookup (`MODAL_TOKEN_SECRET`, `~/.modal.toml`) */
  tokenSecret?: string;
  /** Modal's API server. @default the SDK's (`MODAL_SERVER_URL`, else Modal's own) */
  endpoint?: string;
  /** Supervisors of one job run this many attempts at once. @default the job's, else 100 */
  concurrency?: number;
}

/** Options of the {@linkcode ModalExecutor} constructor. */
export interface ModalExecutorInit {
  /** The backend name recorded in the job. @default "modal" */
  name?: string;
  /**
   * How the supervisor starts. @default spawns `supervise` of the deployed app with the SDK
   * (a stand-in passes its own: tests run the same flow without Modal)
   */
  spawnSupervisor?: (request: SupervisorRequest, options: ModalExecutorOptions) => Promise<string>;
}

/**
 * Runs jobs on Modal. Registered as backend `"modal"`.
 *
 * @example
 * ```ts
 * import { getExecutor } from "./executor.ts";
 * import "./modal_executor.ts";
 * if (getExecutor("modal").name !== "modal") throw new Error("unexpected");
 * ```
 */
export class ModalExecutor implements Executor {
  readonly name: string;
  readonly #spawn: NonNullable<ModalExecutorInit["spawnSupervisor"]>;

  constructor(init: ModalExecutorInit = {}) {
    this.name = init.name ?? "modal";
    this.#spawn = init.spawnSupervisor ?? spawnOnModal;
  }

  /** Spawns the job's supervisor function and records it; returns once it is spawned. */
  async start(store: Store, spec: JobSpec, options: ExecutorStartOptions): Promise<void> {
    const o = (options.backendOptions ?? {}) as ModalExecutorOptions;
    if (!/^s3:\/\//.test(store.url)) {
      throw new JobError(
        "executor_failed",
        `Backend "${this.name}" needs a store its containers can reach (s3://, R2), not ${store.url}`,
        { jobId: spec.id },
      );
    }
    const concurrency = options.concurrency ?? o.concurrency ?? spec.concurrency ?? 100;
    const request: SupervisorRequest = {
      job_id: spec.id,
      store_url: store.url,
      argv: modalSupervisorCommand(store.url, spec.id, concurrency, { backend: this.name }),
      env_allow: [...EXECUTOR_ENV_ALLOW],
    };
    let call: string;
    try {
      call = await this.#spawn(request, o);
    } catch (err) {
      throw new JobError(
        "executor_failed",
        `Cannot start job "${spec.id}" on ${this.name}: ${(err as Error)?.message ?? err}`,
        { jobId: spec.id, cause: err },
      );
    }
    const now = new Date().toISOString();
    const marker: SupervisorMarker = {
      backend: this.name,
      // Not this host: the executor runs in the backend's containers (status() then counts
      // the record alive for its start-up grace, not by a local process).
      host: `${this.name} (spawned from ${hostname()})`,
      pid: 0,
      concurrency,
      started_at: now,
      heartbeat_at: now,
      log: `${this.name} call ${call}`,
      starting: true,
    };
    // The supervisor is spawned: a record that cannot be written now is no failed start.
    await writeJson(store, jobKeys(spec.id).supervisor, marker).catch(() => {});
  }
}

/** Spawns `supervise` of the deployed app with the `modal` npm SDK (loaded here, lazily). */
async function spawnOnModal(
  request: SupervisorRequest,
  options: ModalExecutorOptions,
): Promise<string> {
  const { ModalClient } = await import("modal");
  const client = new ModalClient({
    ...(options.tokenId && { tokenId: options.tokenId }),
    ...(options.tokenSecret && { tokenSecret: options.tokenSecret }),
    ...(options.environment && { environment: options.environment }),
    ...(options.endpoint && { endpoint: options.endpoint }),
  });
  try {
    const fn = await client.functions.fromName(options.app ?? "shardline", "supervise", {
      ...(options.environment && { environment: options.environment }),
    });
    const call = await fn.spawn([request]);
    return call.functionCallId;
  } finally {
    client.close();
  }
}

registerExecutor(new ModalExecutor());
