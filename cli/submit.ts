/**
 * `deno task cli submit <job-module> --input <dataset|pattern> --output <dataset> [...]`:
 * submits a job (fire and forget), or waits for it with `--wait`.
 *
 * @module
 */
import { submit } from "../lib/exec/mod.ts";
import type { CliContext } from "./_context.ts";
import { parseCommand, storeOptionsFrom, UsageError, withStore } from "./_context.ts";
import { awaitAndReport, openJobStore, parseJsonObject, parseParams } from "./_jobs.ts";

const help =
  `usage: deno task cli submit <job-module> --input <dataset|shard|pattern> --output <dataset>
  [--store URL] [--param key=value ...] [--params JSON] [--backend local] [--concurrency N]
  [--shards-per-task N] [--samples-per-task N] [--max-attempts N] [--max-failed-tasks FRACTION]
  [--compact-at N|off] [--endpoint URL --token-env NAME] [--backend-options JSON] [--wait] [--timeout SECONDS] [--json]
  [S3 flags]

Submits the job module (a path anywhere on disk) over the input and prints the job id. The same
submission twice is the same job. --wait shows progress on stderr and exits by the final state:
0 completed, 4 completed with errors, 5 failed, 6 cancelled, 7 timeout, 8 stalled.
The store defaults to $SHARDLINE_STORE, else ./data. --backend is local (default), modal (the
app modal/app.py deploys; an s3:// store; Modal credentials from ~/.modal.toml or MODAL_TOKEN_ID
and MODAL_TOKEN_SECRET) or http. --backend-options passes backend settings as JSON (local:
{"launcher": "processes"}, modal: {"app": "shardline", "environment": "main"}). --backend http posts the job to the
dispatcher at --endpoint (default $SHARDLINE_ENDPOINT) with the bearer token in the environment
variable named by --token-env (default SHARDLINE_TOKEN); the dispatcher must serve the same store.
--compact-at: a task compacts the output's index once it holds N fragments (default 1000; off:
never); a compaction that fails is a warning in the job's status, never a failed task.`;

/** Runs `submit`. */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  const parsed = parseCommand(args, ctx, {
    name: "submit",
    help,
    options: {
      input: { type: "string", multiple: true },
      output: { type: "string" },
      param: { type: "string", multiple: true },
      params: { type: "string" },
      backend: { type: "string" },
      endpoint: { type: "string" },
      "token-env": { type: "string" },
      "backend-options": { type: "string" },
      concurrency: { type: "string" },
      "shards-per-task": { type: "string" },
      "samples-per-task": { type: "string" },
      "max-attempts": { type: "string" },
      "max-failed-tasks": { type: "string" },
      "compact-at": { type: "string" },
      wait: { type: "boolean" },
      timeout: { type: "string" },
      json: { type: "boolean" },
    },
    positionals: 1,
    needs: "a job module, --input and --output",
    valid: ({ values }) => !!values.input?.length && !!values.output,
  });
  if (!parsed) return 0;
  const { values, positionals: [module = ""] } = parsed;
  const input = values.input!, output = values.output!;
  const params = parseParams(values);
  return await withStore(openJobStore(values, ctx), async (store) => {
    const job = await submit(store, {
      input: input.length === 1 ? input[0]! : input,
      output,
      job: module,
      params,
      backend: values.backend,
      ...(values["backend-options"] && {
        backendOptions: parseJsonObject(values["backend-options"], "--backend-options"),
      }),
      ...(values.backend === "http" && {
        endpoint: values.endpoint ?? ctx.env.SHARDLINE_ENDPOINT,
        token: ctx.env[values["token-env"] ?? "SHARDLINE_TOKEN"],
      }),
      concurrency: num(values.concurrency, "concurrency"),
      shardsPerTask: num(values["shards-per-task"], "shards-per-task"),
      samplesPerTask: num(values["samples-per-task"], "samples-per-task"),
      maxAttempts: num(values["max-attempts"], "max-attempts"),
      maxFailedTaskFraction: num(values["max-failed-tasks"], "max-failed-tasks"),
      compactAt: compactAt(values["compact-at"]),
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
    return await awaitAndReport(store, job.id, ctx, {
      json: values.json,
      timeout: timeout === undefined ? undefined : timeout * 1000,
      info,
      report: (res) => ({ ...res.status, task_states: undefined }),
    });
  });
}

/** `--compact-at N|off`: a positive whole number of fragments, or `off` (never). */
function compactAt(value: string | undefined): number | false | undefined {
  if (value === undefined) return undefined;
  if (value === "off") return false;
  if (!/^[1-9]\d*$/.test(value)) {
    throw new UsageError(`--compact-at expects a number of fragments or "off", got "${value}"`);
  }
  return Number(value);
}

function num(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`--${flag} expects a number, got "${value}"`);
  return n;
}
