/**
 * {@linkcode Job}: the handle `submit()` returns: the job's id and spec plus shortcuts to
 * {@linkcode status}, {@linkcode awaitResults} and {@linkcode cancelJob} on its store.
 *
 * @module
 */
import { type DisplayBundle, JUPYTER_DISPLAY, renderDisplay } from "../display/mod.ts";
import type { Store } from "../store/store.ts";
import { awaitResults, type AwaitResultsOptions, type JobResults } from "./await_results.ts";
import { cancelJob, type CancelJobOptions } from "./cancel_job.ts";
import type { JobSpec } from "./job_spec.ts";
import { type JobStatus, status, type StatusOptions } from "./status.ts";

/** A submitted job. Everything it knows comes from the store, so any process can make one. */
export class Job {
  /** The job id. */
  readonly id: string;
  /** The store holding the job's records. */
  readonly store: Store;
  /** The job record (`_jobs/<id>/job.json`). */
  readonly spec: JobSpec;
  /** True when this submission created the job (false: it existed already). */
  readonly created: boolean;
  /** True when this submission started an executor (false: finished or already running). */
  readonly started: boolean;

  constructor(store: Store, spec: JobSpec, options: { created?: boolean; started?: boolean } = {}) {
    this.id = spec.id;
    this.store = store;
    this.spec = spec;
    this.created = options.created ?? false;
    this.started = options.started ?? false;
  }

  /** The output dataset prefix. */
  get output(): string {
    return this.spec.output;
  }

  /** The job's current status, read from the store. */
  status(options: Omit<StatusOptions, "spec"> = {}): Promise<JobStatus> {
    return status(this.store, this.id, { ...options, spec: this.spec });
  }

  /** Waits for the job to finish; see {@linkcode awaitResults}. */
  awaitResults(options: AwaitResultsOptions = {}): Promise<JobResults> {
    return awaitResults(this.store, this, options);
  }

  /** Cancels the job; see {@linkcode cancelJob}. */
  cancel(options: CancelJobOptions = {}): Promise<void> {
    return cancelJob(this.store, this.id, options);
  }

  /** A compact JSON form (id, output, task count). */
  toJSON(): { id: string; output: string; tasks: number; store: string } {
    return {
      id: this.id,
      output: this.output,
      tasks: this.spec.tasks.length,
      store: this.store.url,
    };
  }

  /** Jupyter rendering: the job's live status (state, progress, failures; see `lib/notebook/`). */
  async [JUPYTER_DISPLAY](): Promise<DisplayBundle> {
    return renderDisplay("job_status", await this.status());
  }
}
