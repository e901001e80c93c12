/**
 * `deno task cli retry <job-id> [--wait] [--json]`: reruns a job's failed tasks (only those).
 *
 * @module
 */
import { retryJob } from "../lib/exec/mod.ts";
import type { CliContext } from "./_context.ts";
import { parseCommand, storeOptionsFrom, withStore } from "./_context.ts";
import { awaitAndReport, openJobStore } from "./_jobs.ts";

const help = `usage: deno task cli retry <job-id> [--store URL] [--concurrency N] [--wait] [--json]

Moves the failed tasks' results aside and runs those tasks again (tasks that succeeded are
kept); also resumes a cancelled or stalled job. With --wait, exits by the final state.`;

/** Runs `retry`. */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  const parsed = parseCommand(args, ctx, {
    name: "retry",
    help,
    options: {
      concurrency: { type: "string" },
      wait: { type: "boolean" },
      json: { type: "boolean" },
    },
    positionals: 1,
    needs: "a job id",
  });
  if (!parsed) return 0;
  const { values, positionals: [jobId = ""] } = parsed;
  return await withStore(openJobStore(values, ctx), async (store) => {
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
    return await awaitAndReport(store, jobId, ctx, {
      json: values.json,
      info,
      report: (res) => ({ state: res.state, samples: res.samples }),
    });
  });
}
