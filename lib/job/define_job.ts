/**
 * {@linkcode defineJob}: the declaration a job module default-exports.
 *
 * @module
 */
import type { Store } from "../store/store.ts";
import { JobError } from "./job_error.ts";
import type { TaskOutput, TaskSpec } from "./job_spec.ts";

type Awaitable<T> = T | Promise<T>;

/**
 * The result of a {@linkcode JobSchema}'s safe validation: a looser shape than lib/schema's
 * `SafeParseResult` (any issue with a message will do), which it accepts.
 */
export type JobSafeParseResult<T> =
  | { ok: true; value: T }
  | { ok: false; issues: readonly { path?: readonly unknown[] | string; message: string }[] };

/** What a job needs of a schema: a name, a version and safe validation. */
export interface JobSchema<T = Record<string, unknown>> {
  readonly name: string;
  readonly version: string;
  safeParse(value: unknown): JobSafeParseResult<T>;
}

/** The value type of a {@linkcode JobSchema}. */
export type SchemaValue<S> = S extends JobSchema<infer T> ? T : never;

/** A decoded sample: the schema's fields plus its key. */
export type Sample<T> = T & { __key__: string };

/** An output sample: its key defaults to the input sample's key. */
export type OutputSample<T> = T & { __key__?: string };

/**
 * What a `task` job function gets besides the context: its task, and the store through a handle
 * that reads anywhere but puts and deletes only under the job's output dataset (anything else
 * throws), so a task job cannot touch other datasets or the job records.
 */
export interface TaskIO {
  /** The store (writes only under `<output>/`). */
  store: Store;
  /** The job's output dataset prefix. */
  output: string;
  /**
   * The task: its inputs as planned and its `output_prefix`. Write the output shards as
   * `<output_prefix>-000.tar`, `-001.tar`, ... (committed with their manifests): the names a
   * rerun of the task removes first, and a failed attempt removes after.
   */
  task: TaskSpec;
  /** Aborted when the attempt is stopped (cancel, timeout). */
  signal?: AbortSignal;
}

/** What a `task` job function returns. */
export interface TaskRun {
  /** The output shards it committed. */
  outputs: TaskOutput[];
  /** Input samples it read. @default the samples written */
  samplesIn?: number;
}

/** What a job function sees besides the sample. */
export interface JobContext<P> {
  /** The job's params: the declared defaults overridden by the submitted ones. */
  params: P;
  jobId: string;
  taskId: string;
  /** The input shard being read. */
  shard: string;
  /** Attempt number of this task, from 1. */
  attempt: number;
}

/** A failed sample as the error policy function sees it. */
export interface SampleFailure {
  key?: string;
  shard?: string;
  /** `decode` (input invalid), `job` (the job function threw), `output` (output invalid). */
  stage: "read" | "decode" | "job" | "output";
  reason: string;
  error?: unknown;
}

/**
 * What to do with a bad sample: `"fail"` fails the task, `"skip"` records it and goes on; a
 * function decides per failure.
 */
export type OnErrorPolicy = "fail" | "skip" | ((failure: SampleFailure) => "fail" | "skip");

/**
 * Per-sample and per-shard job functions: exactly one of them.
 *
 * - `map`: one output per sample (its key defaults to the input's); `null`/`undefined` drops it.
 * - `flatMap`: any number of outputs; those without a key of their own get `<key>_<n>`.
 * - `filter`: keeps the samples it returns true for, written as read.
 * - `shard`: the decoded samples of one input shard in, outputs (with keys) out; for
 *   aggregations and stateful work. An exception there fails the task.
 * - `task`: the whole task in one function, which reads and writes through {@linkcode TaskIO}
 *   itself (copies that read byte ranges, such as a materialized view's): no per-sample decoding,
 *   validation or error policy; an exception fails the task. The input schema is not applied.
 *
 * Output keys must be unique within a task; a duplicate is a failed sample.
 */
export type JobFunctions<I, O, P> =
  | { map(sample: Sample<I>, ctx: JobContext<P>): Awaitable<OutputSample<O> | null | undefined> }
  | {
    flatMap(
      sample: Sample<I>,
      ctx: JobContext<P>,
    ): Awaitable<Iterable<OutputSample<O>> | AsyncIterable<OutputSample<O>>>;
  }
  | { filter(sample: Sample<I>, ctx: JobContext<P>): Awaitable<boolean> }
  | {
    shard(
      samples: AsyncIterable<Sample<I>>,
      ctx: JobContext<P>,
    ): AsyncIterable<OutputSample<O>> | Iterable<OutputSample<O>>;
  }
  | { task(io: TaskIO, ctx: JobContext<P>): Promise<TaskRun> };

/** Common fields of a job declaration. */
export interface JobInitBase<I, O, P> {
  /** Job name (shows in status and manifests). */
  name: string;
  /** Job version (semver); becomes the output manifests' `pipeline_version`. */
  version: string;
  /** Schema of the input samples. */
  input: JobSchema<I>;
  /** Schema of the output samples; defaults to `input` (required for `flatMap` and `shard`). */
  output?: JobSchema<O>;
  /** Default params (JSON); submitted params override them key by key. */
  params?: P;
  /** Bad-sample policy. @default "fail" */
  onError?: OnErrorPolicy;
  /**
   * With `"skip"`, the task still fails when more than this fraction of its input samples
   * failed. @default 1
   */
  maxFailedFraction?: number;
  /** One line on what the job does. */
  description?: string;
}

/** The argument of {@linkcode defineJob}. */
export type JobInit<I, O, P> = JobInitBase<I, O, P> & JobFunctions<I, O, P>;

/** Which job function a definition has. */
export type JobKind = "map" | "flatMap" | "filter" | "shard" | "task";

/** Brand on definitions, shared by every copy of shardline (bundles inline their own). */
export const JOB_BRAND: unique symbol = Symbol.for("shardline.job") as never;

/** A validated job definition with defaults applied. */
export type JobDefinition<I = Record<string, unknown>, O = I, P = Record<string, unknown>> =
  & Readonly<Required<Omit<JobInitBase<I, O, P>, "description">>>
  & { readonly description?: string; readonly kind: JobKind; readonly [JOB_BRAND]: true }
  & JobFunctions<I, O, P>;

const KINDS: JobKind[] = ["map", "flatMap", "filter", "shard", "task"];

/**
 * Declares a job. A job module default-exports the result:
 *
 * @example
 * ```ts
 * import { defineJob } from "./define_job.ts";
 * // Any object with name, version and safeParse works as a schema; lib/schema builds real ones.
 * const Row = {
 *   name: "row",
 *   version: "1.0.0",
 *   safeParse: (v: unknown) => ({ ok: true as const, value: v as { x: number } }),
 * };
 * const job = defineJob({
 *   name: "double",
 *   version: "1.0.0",
 *   input: Row,
 *   output: Row,
 *   params: { factor: 2 },
 *   map: (s, ctx) => ({ x: s.x * ctx.params.factor }),
 * });
 * if (job.kind !== "map" || job.onError !== "fail") throw new Error("unexpected");
 * ```
 */
export function defineJob<I, O = I, P = Record<string, unknown>>(
  init: JobInit<I, O, P>,
): JobDefinition<I, O, P> {
  const where = `Job "${(init as { name?: unknown })?.name ?? "?"}"`;
  const bad = (msg: string) => new JobError("invalid_job", `${where}: ${msg}`);
  if (typeof init?.name !== "string" || !init.name) throw bad("needs a name");
  if (typeof init.version !== "string" || !init.version) throw bad("needs a version");
  const kinds = KINDS.filter((k) =>
    typeof (init as unknown as Record<string, unknown>)[k] === "function"
  );
  if (kinds.length !== 1) {
    throw bad(
      `needs exactly one of map, flatMap, filter, shard, task (got ${kinds.join(", ") || "none"})`,
    );
  }
  const kind = kinds[0]!;
  if (!isSchema(init.input)) throw bad("input must be a schema (name, version, safeParse)");
  if (init.output !== undefined && !isSchema(init.output)) throw bad("output must be a schema");
  if (init.output === undefined && kind !== "filter" && kind !== "map" && kind !== "task") {
    throw bad(`a ${kind} job needs an output schema`);
  }
  const onError = init.onError ?? "fail";
  if (onError !== "fail" && onError !== "skip" && typeof onError !== "function") {
    throw bad(`onError must be "fail", "skip" or a function, not ${JSON.stringify(onError)}`);
  }
  const maxFailedFraction = init.maxFailedFraction ?? 1;
  if (!(maxFailedFraction >= 0 && maxFailedFraction <= 1)) {
    throw bad(`maxFailedFraction must be within [0, 1], not ${maxFailedFraction}`);
  }
  return Object.freeze({
    ...init,
    output: (init.output ?? init.input) as unknown as JobSchema<O>,
    params: (init.params ?? {}) as P,
    onError,
    maxFailedFraction,
    kind,
    [JOB_BRAND]: true as const,
  }) as JobDefinition<I, O, P>;
}

/** True for a value made by {@linkcode defineJob} (from any copy of shardline). */
export function isJobDefinition(value: unknown): value is JobDefinition {
  return typeof value === "object" && value !== null &&
    (value as Record<symbol, unknown>)[JOB_BRAND] === true;
}

function isSchema(value: unknown): value is JobSchema {
  const s = value as JobSchema | undefined;
  return typeof s === "object" && s !== null && typeof s.name === "string" &&
    typeof s.safeParse === "function";
}
