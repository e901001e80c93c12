/**
 * {@linkcode runTask}: the one code path every backend runs for a task. It streams the task's
 * input shards, decodes and validates each sample against the job's input schema, applies the
 * job, validates the output, writes the output shards with their manifests, compacts the output
 * dataset's index past the job's threshold (`compact_at`; a failure there is a warning in the
 * result, never a failed task), then records the task result with a create-only put. A `task`
 * job does the reading and writing itself (through a store it may write only under the job's
 * output); the rest (cleanup, compaction, result) is the same.
 *
 * Idempotent: a task with a final result is not run again; output names derive from the task,
 * so a rerun overwrites what an interrupted attempt left, and removes its extra parts; a failed
 * attempt removes its outputs. Shards commit by their manifest (written last), results by their
 * create-only put.
 *
 * @module
 */
import { hostname } from "node:os";
import type { Store } from "../store/store.ts";
import { scanSamples } from "../shard/scan_samples.ts";
import type { ShardError } from "../shard/shard_error.ts";
import type { TarSample } from "../shard/tar_sample.ts";
import type { JobContext, JobDefinition, SampleFailure } from "./define_job.ts";
import { JobError } from "./job_error.ts";
import {
  jobKeys,
  type JobSpec,
  type RunningMarker,
  type TaskFailure,
  type TaskInput,
  type TaskResult,
  type TaskWarning,
} from "./job_spec.ts";
import { loadJob } from "./load_job.ts";
import { type Counters, PolicyStop, runPipeline, WriteFailed } from "./_pipeline.ts";
import { openTaskWriter, type TaskWriter } from "./_task_output.ts";
import { removeTaskOutputs } from "./task_outputs.ts";
import { readJson, writeJson } from "./job_records.ts";
import { decodeWith } from "./_codec.ts";
import { sweepTaskTemp } from "./sweep_temp.ts";
import { processIds } from "../util/process_identity.ts";
import { awaitOtherAttempt } from "./_other_attempt.ts";
import { COMPACT_THRESHOLD, tryCompactIfNeeded } from "../dataset/compact_if_needed.ts";
import { dirname } from "../manifest/manifest_keys.ts";
import { outputOnlyStore } from "./_output_store.ts";

/** Options for {@linkcode runTask}. */
export interface RunTaskOptions {
  /** Attempt number, from 1. @default 1 */
  attempt?: number;
  /** No retry follows: a failure becomes the final result. @default true */
  final?: boolean;
  /** Folder caching job code. @default `<os tmpdir>/shardline-code` */
  codeCacheDir?: string;
  /** Stops the task: it fails without a final result (an attempt record only). */
  signal?: AbortSignal;
}

/** Which task to run: a job (id, or its spec) and a task id. */
export interface TaskRef {
  job: string | JobSpec;
  task: string;
}

const MAX_FAILURES = 100;
const FATAL_READ = new Set([
  "truncated",
  "checksum_mismatch",
  "invalid_header",
  "invalid_gzip",
  "empty_shard",
]);

/** A task-level failure with its stage and whether a retry may help. */
class TaskFailed extends Error {
  constructor(message: string, readonly stage: TaskFailure["stage"], readonly retryable: boolean) {
    super(message);
  }
}

/**
 * Runs one attempt of one task and records its result (see the module doc). Resolves to the
 * result (the existing one when the task had finished already); rejects only when the store
 * cannot be read or written.
 *
 * @example
 * ```ts ignore
 * import { runTask } from "./task_runner.ts";
 * const result = await runTask(store, { job: "j-0123", task: "task-000000" }, { attempt: 1 });
 * console.log(result.status, result.samples_out);
 * ```
 */
export async function runTask(
  store: Store,
  ref: TaskRef,
  options: RunTaskOptions = {},
): Promise<TaskResult> {
  const spec = typeof ref.job === "string"
    ? await readJson<JobSpec>(store, jobKeys(ref.job).spec)
    : ref.job;
  const jobId = typeof ref.job === "string" ? ref.job : ref.job.id;
  if (!spec) throw new JobError("not_found", `No job "${jobId}" in store ${store.url}`, { jobId });
  const task = spec.tasks.find((t) => t.id === ref.task);
  if (!task) {
    throw new JobError("not_found", `Job "${jobId}" has no task "${ref.task}"`, {
      jobId,
      task: ref.task,
    });
  }
  const keys = jobKeys(spec.id);
  const done = await readJson<TaskResult>(store, keys.task(task.id));
  if (done) return done;

  const attempt = options.attempt ?? 1;
  const final = options.final ?? true;
  const started = new Date();
  const marker: RunningMarker = {
    task_id: task.id,
    attempt,
    host: hostname(),
    pid: Deno.pid,
    ...processIds(),
    started_at: started.toISOString(),
    heartbeat_at: started.toISOString(),
  };
  // Another attempt still running the task (its worker outlived a killed supervisor) is waited
  // for: its result is the task's. One whose process died on this host (a resubmission after a
  // crash) left its half-written files: sweep them now, however fresh.
  const other = await awaitOtherAttempt(store, spec, task.id, marker, options.signal);
  if (other.result) return other.result;
  if (other.gone) await sweepTaskTemp(store, spec, task, 0);
  await writeJson(store, keys.running(task.id), marker);
  let beat = Promise.resolve();
  const timer = setInterval(() => {
    beat = beat.then(() =>
      writeJson(store, keys.running(task.id), { ...marker, heartbeat_at: new Date().toISOString() })
        .then(() => {}, () => {})
    );
  }, spec.policy.heartbeat_ms);

  const counters: Counters = { samples_in: 0, samples_out: 0, skipped: 0, failed: 0 };
  const failures: TaskFailure[] = [];
  let truncated = 0;
  const record = (f: TaskFailure) => {
    if (failures.length < MAX_FAILURES) failures.push(f);
    else truncated++;
  };
  let job: JobDefinition | undefined;
  let writer: TaskWriter | undefined;
  let outcome: { error?: string; retryable: boolean; outputs: TaskResult["outputs"] };
  const warnings: TaskWarning[] = [];
  try {
    job = await loadJob(store, spec.code.hash, { cacheDir: options.codeCacheDir }).catch((err) => {
      throw new TaskFailed((err as Error).message, "load", false);
    });
    // What an interrupted attempt left (even committed parts) goes: this run rewrites it all.
    await removeTaskOutputs(store, task);
    const ctx: JobContext<Record<string, unknown>> = {
      params: { ...(job.params as Record<string, unknown>), ...spec.params },
      jobId: spec.id,
      taskId: task.id,
      shard: "",
      attempt,
    };
    let outputs: TaskResult["outputs"];
    if ("task" in job) {
      // The whole task in the job's hands, with a store it may write only under the output.
      const io = { store: outputOnlyStore(store, spec.output), output: spec.output, task };
      const run = await job.task({ ...io, signal: options.signal }, ctx);
      outputs = run.outputs;
      counters.samples_out = outputs.reduce((n, o) => n + o.num_samples, 0);
      counters.samples_in = run.samplesIn ?? counters.samples_out;
    } else {
      const out = writer = openTaskWriter(store, spec, task, job);
      const fail = (f: SampleFailure) => {
        counters.failed++;
        record({ key: f.key, shard: f.shard, stage: f.stage, reason: f.reason });
        const policy = typeof job!.onError === "function" ? job!.onError(f) : job!.onError;
        if (policy !== "skip") {
          throw new PolicyStop(`sample "${f.key ?? "?"}" failed (${f.stage}): ${f.reason}`);
        }
      };
      const keys = new Set<string>();
      for (const input of task.inputs) {
        ctx.shard = input.key;
        let fatal: ShardError | undefined;
        const onError = (error: ShardError) => {
          // Offsets of a slice read from its start are relative to it: make them absolute.
          const err = input.offset && error.offset !== undefined
            ? error.with({ offset: error.offset + input.offset })
            : error;
          if (FATAL_READ.has(err.code)) {
            fatal ??= err;
            record({ shard: input.key, offset: err.offset, stage: "read", reason: err.message });
          } else fail({ key: err.key, shard: input.key, stage: "read", reason: err.message });
        };
        const range = input.offset !== undefined ? { range: { offset: input.offset } } : {};
        const stream = await store.getStream(input.key, range);
        const samples = slice(scanSamples(stream, { url: input.key, onError }), input);
        await runPipeline(job, samples, ctx, {
          decode: (raw) => decodeWith(job!.input, raw),
          write: (key, value, raw) => out.write(key, value, raw),
          fail,
          counters,
          keys,
          signal: options.signal,
        });
        if (fatal) throw new TaskFailed(fatal.message, "read", false);
      }
      outputs = await out.close();
      if (
        counters.samples_in > 0 && counters.failed / counters.samples_in > job.maxFailedFraction
      ) {
        throw new TaskFailed(
          `${counters.failed} of ${counters.samples_in} samples failed, more than the job's ` +
            `maxFailedFraction ${job.maxFailedFraction}`,
          "job",
          false,
        );
      }
    }
    const keep = new Set(outputs.flatMap((o) => manifestKeys(o.key)));
    await removeTaskOutputs(store, task, keep);
    // Committed and indexed: past the threshold this task compacts the index. A failure leaves
    // fragments for the next task (or `index compact`), and is a warning, never a failed task.
    const compactAt = spec.policy.compact_at ?? COMPACT_THRESHOLD;
    if (outputs[0] && compactAt !== false) {
      const dataset = dirname(outputs[0].key);
      const warning = await tryCompactIfNeeded(store, dataset, { threshold: compactAt });
      if (warning) warnings.push(warning);
    }
    outcome = { retryable: true, outputs };
  } catch (err) {
    // Uncommit first (manifests go before data), stop the shard in progress, sweep again.
    await removeTaskOutputs(store, task).catch(() => {});
    await writer?.abort().catch(() => {});
    await removeTaskOutputs(store, task).catch(() => {});
    const retryable = err instanceof TaskFailed ? err.retryable : !(err instanceof PolicyStop);
    const message = err instanceof Error ? err.message : String(err);
    if (!(err instanceof PolicyStop) && !(err instanceof TaskFailed && err.stage === "read")) {
      const stage = err instanceof TaskFailed
        ? err.stage
        : err instanceof WriteFailed
        ? "write"
        : "job";
      record({ ...whereOf(err), stage, reason: message });
    }
    outcome = { error: message, retryable, outputs: [] };
  } finally {
    clearInterval(timer);
    await beat;
  }

  const finished = new Date();
  const result: TaskResult = {
    job_id: spec.id,
    task_id: task.id,
    status: outcome.error === undefined ? "ok" : "failed",
    ...counters,
    failures,
    ...(truncated > 0 && { failures_truncated: truncated }),
    ...(outcome.error !== undefined && { error: outcome.error, retryable: outcome.retryable }),
    duration_ms: finished.getTime() - started.getTime(),
    attempt,
    started_at: started.toISOString(),
    finished_at: finished.toISOString(),
    outputs: outcome.outputs,
    ...(job && { job: { name: job.name, version: job.version } }),
    worker: { host: marker.host, pid: marker.pid },
    ...(warnings.length > 0 && { warnings }),
  };
  let recorded = result;
  const cancelled = options.signal?.aborted === true;
  if (result.status === "ok" || (!cancelled && (final || !outcome.retryable))) {
    const created = await writeJson(store, keys.task(task.id), result, { createOnly: true });
    if (!created) recorded = (await readJson<TaskResult>(store, keys.task(task.id))) ?? result;
  } else {
    await writeJson(store, keys.attempt(task.id, attempt), result);
  }
  await store.delete(keys.running(task.id));
  return recorded;
}

/**
 * The input shard, sample key and byte offset of an error that names a shard (a `QueryError`
 * from a `task` job's reads, say), for its failure record. A `StoreError`'s `key` is a store key,
 * not a sample's: errors without `shard` give nothing.
 */
function whereOf(err: unknown): Pick<TaskFailure, "shard" | "key" | "offset"> {
  const e = (err ?? {}) as { shard?: unknown; key?: unknown; offset?: unknown };
  if (typeof e.shard !== "string") return {};
  return {
    shard: e.shard,
    ...(typeof e.key === "string" && { key: e.key }),
    ...(typeof e.offset === "number" && { offset: e.offset }),
  };
}

/** The shard and manifest keys of an output shard. */
function manifestKeys(tarKey: string): string[] {
  const stem = tarKey.replace(/\.tar$/, "");
  return [tarKey, `${stem}.manifest.json`, `${stem}.manifest.parquet`];
}

function slice(source: AsyncIterable<TarSample>, input: TaskInput): AsyncIterable<TarSample> {
  if (input.start === undefined && input.end === undefined) return source;
  return sliced(source, input);
}

async function* sliced(
  source: AsyncIterable<TarSample>,
  input: TaskInput,
): AsyncGenerator<TarSample> {
  // A slice read from its byte offset starts at sample `start`.
  const start = input.offset !== undefined ? 0 : input.start ?? 0;
  const end = (input.end ?? Infinity) - (input.offset !== undefined ? input.start ?? 0 : 0);
  let i = 0;
  for await (const sample of source) {
    if (i >= end) break;
    if (i++ >= start) yield sample;
  }
}
