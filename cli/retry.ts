/**
 * `deno task cli retry <job-id> [--wait] [--json]`: reruns a job's failed tasks (only those).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { retryJob } from "../lib/exec/mod.ts";
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

const help = `usage: deno task cli retry <job-id> [--store URL] [--concurrency N] [--wait] [--json]

Moves the failed tasks' results aside and runs those tasks again (tasks that succeeded are
kept); also resumes a cancelled or stalled job. With --wait, exits by the final state.`;

/** Runs `retry`. */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...storeFlagSpecs,
      concurrency: { type: "string" },
      wait: { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean" },
    },
  });
  if (values.help) return ctx.out(help), 0;
  const [jobId] = positionals;
  if (!jobId) throw new UsageError(`retry needs a job id.\n${help}`);
  const store = await openJobStore(values, ctx);
  try {
    const { retried, started } = await retryJob(store, jobId, {
      concurrency: values.concurrency ? Number(values.concurrency) : undefined,
      storeOptions: storeOptionsFrom(values, ctx.env),
    });
    const info = { id: jobId, retried, started };
    if (!values.json) ctx.err(`retrying ${retried.length} failed tasks of job ${jobId}`);
    if (!values.wait) {
      if (values.json) ctx.out(JSON.stringify(info));
      return 0;
    }
    try {
      const res = await awaitResults(store, jobId, {
        onProgress: values.json ? undefined : progressBar(),
      });
      if (values.json) ctx.out(JSON.stringify({ ...info, state: res.state, samples: res.samples }));
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
