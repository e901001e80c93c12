/**
 * `deno task cli submit <job-module> --input <dataset|pattern> --output <dataset> [...]`:
 * submits a job (fire and forget), or waits for it with `--wait`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { submit } from "../lib/exec/mod.ts";
import { awaitResults } from "../lib/job/mod.ts";
import type { CliContext } from "./_context.ts";
import { storeFlagSpecs, storeOptionsFrom, UsageError } from "./_context.ts";
import {
  formatStatus,
  jobErrorExitCode,
  openJobStore,
  progressBar,
  stateExitCodes,
} from "./_jobs.ts";

const help =
  `usage: deno task cli submit <job-module> --input <dataset|shard|pattern> --output <dataset>
  [--store URL] [--param key=value ...] [--params JSON] [--backend local] [--concurrency N]
  [--shards-per-task N] [--samples-per-task N] [--max-attempts N] [--max-failed-tasks FRACTION]
  [--wait] [--timeout SECONDS] [--json] [S3 flags]

Submits the job module (a path anywhere on disk) over the input and prints the job id. The same
submission twice is the same job. --wait shows progress on stderr and exits by the final state:
0 completed, 4 completed with errors, 5 failed, 6 cancelled, 7 timeout, 8 stalled.
The store defaults to $SHARDLINE_STORE, else ./data.`;

/** Runs `submit`. */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...storeFlagSpecs,
      input: { type: "string", multiple: true },
      output: { type: "string" },
      param: { type: "string", multiple: true },
      params: { type: "string" },
      backend: { type: "string" },
      concurrency: { type: "string" },
      "shards-per-task": { type: "string" },
      "samples-per-task": { type: "string" },
      "max-attempts": { type: "string" },
      "max-failed-tasks": { type: "string" },
      wait: { type: "boolean" },
      timeout: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean" },
    },
  });
  if (values.help) return ctx.out(help), 0;
  const [module] = positionals;
  if (!module || !values.input?.length || !values.output) {
    throw new UsageError(`submit needs a job module, --input and --output.\n${help}`);
  }
  const params: Record<string, unknown> = values.params ? parseJson(values.params) : {};
  for (const kv of values.param ?? []) {
    const eq = kv.indexOf("=");
    if (eq <= 0) throw new UsageError(`--param expects key=value, got "${kv}"`);
    const raw = kv.slice(eq + 1);
    params[kv.slice(0, eq)] = tryJson(raw);
  }
  const store = await openJobStore(values, ctx);
  try {
    const job = await submit(store, {
      input: values.input.length === 1 ? values.input[0]! : values.input,
      output: values.output,
      job: module,
      params,
      backend: values.backend,
      concurrency: num(values.concurrency, "concurrency"),
      shardsPerTask: num(values["shards-per-task"], "shards-per-task"),
      samplesPerTask: num(values["samples-per-task"], "samples-per-task"),
      maxAttempts: num(values["max-attempts"], "max-attempts"),
      maxFailedTaskFraction: num(values["max-failed-tasks"], "max-failed-tasks"),
      storeOptions: storeOptionsFrom(values, ctx.env),
    });
    const info = { ...job.toJSON(), created: job.created, started: job.started };
    if (values.json && !values.wait) ctx.out(JSON.stringify(info));
    else if (!values.json) {
      ctx.out(job.id);
      ctx.err(
        `${job.created ? "submitted" : "found existing"} job ${job.id}: ` +
          `${job.spec.tasks.length} tasks -> ${job.output}${job.started ? "" : " (not restarted)"}`,
      );
    }
    if (!values.wait) return 0;
    const timeout = num(values.timeout, "timeout");
    try {
      const res = await awaitResults(store, job.id, {
        timeout: timeout === undefined ? undefined : timeout * 1000,
        onProgress: values.json ? undefined : progressBar(),
      });
      if (values.json) ctx.out(JSON.stringify({ ...info, ...res.status, task_states: undefined }));
      else for (const line of formatStatus(res.status)) ctx.err(line);
      return stateExitCodes[res.state];
    } catch (err) {
      const code = jobErrorExitCode(err);
      if (code === undefined) throw err;
      if (values.json) ctx.out(JSON.stringify({ ...info, error: (err as Error).message }));
      else ctx.err((err as Error).message);
      return code;
    }
  } finally {
    await store.close?.();
  }
}

function num(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`--${flag} expects a number, got "${value}"`);
  return n;
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text);
    if (v && typeof v === "object" && !Array.isArray(v)) return v;
  } catch { /* below */ }
  throw new UsageError(`--params expects a JSON object, got ${text}`);
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
