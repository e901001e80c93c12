/**
 * The per-input stage of the task runner: decoded input samples through the job function to
 * validated output samples, with every bad sample reported to the error policy.
 *
 * @module
 */
import type { TarSample } from "../shard/tar_sample.ts";
import type { JobContext, JobDefinition, SampleFailure } from "./define_job.ts";

/** Counts of one task. */
export interface Counters {
  samples_in: number;
  samples_out: number;
  skipped: number;
  failed: number;
}

/** What the stage needs from the task runner. */
export interface PipelineDeps {
  /** Decodes and validates an input sample against the input schema. */
  decode(
    raw: TarSample,
  ): { ok: true; value: Record<string, unknown> } | { ok: false; reason: string };
  /** Writes one validated output sample (with the raw input sample when a filter kept it). */
  write(key: string, value: Record<string, unknown>, raw?: TarSample): Promise<void> | undefined;
  /** Reports a bad sample; throws to fail the task, per the error policy. */
  fail(failure: SampleFailure): void;
  counters: Counters;
  /** Output keys written so far by the task (shared across its inputs). */
  keys?: Set<string>;
  signal?: AbortSignal;
}

type Row = Record<string, unknown> & { __key__: string };

/** Runs the job over one input's raw samples. */
export async function runPipeline(
  job: JobDefinition,
  source: AsyncIterable<TarSample>,
  ctx: JobContext<Record<string, unknown>>,
  deps: PipelineDeps,
): Promise<void> {
  if ("task" in job) throw new TypeError(`Job "${job.name}" runs whole tasks, not samples`);
  const { counters } = deps;
  const passThrough = job.output === job.input;
  let outIndex = 0;
  const written = deps.keys ?? new Set<string>();
  /** A write that failed: a bad sample (its encoding) is reported, the store's failure stops. */
  const writeFailed = (error: unknown, key: string): void => {
    counters.samples_out--;
    if ((error as Error)?.name !== "SchemaError") throw new WriteFailed(error);
    deps.fail({ key, shard: ctx.shard, stage: "output", reason: (error as Error).message });
  };
  /** Validates and writes one output; a promise only while the write is in flight. */
  const emit = (out: unknown, key: string, raw?: TarSample): Promise<void> | undefined => {
    if (out === null || typeof out !== "object") {
      deps.fail({
        key,
        shard: ctx.shard,
        stage: "output",
        reason: `expected an object, got ${out}`,
      });
      return;
    }
    const outKey = (out as { __key__?: unknown }).__key__;
    const k = typeof outKey === "string" && outKey ? outKey : key;
    let value = out as Record<string, unknown>;
    if (!raw) { // a kept input sample was validated when decoded
      const parsed = job.output.safeParse(out);
      if (!parsed.ok) {
        const reason = `does not match output schema "${job.output.name}@${job.output.version}": ` +
          parsed.issues.map((i) => `${formatPath(i.path)}${i.message}`).join("; ");
        deps.fail({ key: k, shard: ctx.shard, stage: "output", reason });
        return;
      }
      value = parsed.value as Record<string, unknown>;
    }
    if (written.has(k)) {
      const reason = `duplicate output key (keys must be unique within a task)`;
      deps.fail({ key: k, shard: ctx.shard, stage: "output", reason });
      return;
    }
    written.add(k);
    counters.samples_out++;
    let pending;
    try {
      pending = deps.write(k, value, raw);
    } catch (error) {
      return void writeFailed(error, k);
    }
    return pending?.catch((error) => writeFailed(error, k));
  };

  /** Decodes one raw sample, or reports it and returns undefined. */
  const decode = (raw: TarSample): Row | undefined => {
    deps.signal?.throwIfAborted();
    counters.samples_in++;
    const d = deps.decode(raw);
    if (d.ok) {
      d.value.__key__ = raw.__key__;
      return d.value as Row;
    }
    deps.fail({ key: raw.__key__, shard: ctx.shard, stage: "decode", reason: d.reason });
  };

  if ("shard" in job) {
    const samples = async function* () {
      for await (const raw of source) {
        const sample = decode(raw);
        if (sample) yield sample;
      }
    };
    for await (const out of job.shard(samples(), ctx)) {
      await emit(out, `${ctx.taskId}_${String(outIndex++).padStart(6, "0")}`);
    }
    return;
  }
  // The hot path: no extra generator layer, and no await on what is not a promise.
  for await (const raw of source) {
    const sample = decode(raw);
    if (!sample) continue;
    const key = sample.__key__;
    try {
      if ("map" in job) {
        const got = job.map(sample, ctx);
        const out = got instanceof Promise ? await got : got;
        if (out === null || out === undefined) counters.skipped++;
        else {
          const pending = emit(out, key);
          if (pending) await pending;
        }
      } else if ("filter" in job) {
        const got = job.filter(sample, ctx);
        if (got instanceof Promise ? await got : got) {
          const pending = emit(sample, key, passThrough ? raw : undefined);
          if (pending) await pending;
        } else counters.skipped++;
      } else {
        let n = 0;
        for await (const out of await job.flatMap(sample, ctx)) {
          // Outputs without a key of their own (a spread copies the input's) get `<key>_<n>`.
          const own = (out as { __key__?: unknown })?.__key__;
          const k = `${key}_${n++}`;
          await emit(own === key ? { ...out, __key__: k } : out, k);
        }
        if (n === 0) counters.skipped++;
      }
    } catch (error) {
      if (error instanceof PolicyStop || error instanceof WriteFailed) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      deps.fail({ key, shard: ctx.shard, stage: "job", reason, error });
    }
  }
}

/** Thrown by `deps.fail` when the error policy fails the task. */
export class PolicyStop extends Error {
  override readonly name = "PolicyStop";
}

/** Writing the output failed (the store, not the sample): fails the task. */
export class WriteFailed extends Error {
  override readonly name = "WriteFailed";
  constructor(cause: unknown) {
    super(`Cannot write output: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

function formatPath(path: unknown): string {
  if (Array.isArray(path) && path.length) return `${path.join(".")}: `;
  if (typeof path === "string" && path) return `${path}: `;
  return "";
}
