/**
 * `deno task cli cancel <job-id> [--reason TEXT] [--json]`: asks the job's executor to stop.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { cancelJob } from "../lib/job/mod.ts";
import type { CliContext } from "./_context.ts";
import { storeFlagSpecs, UsageError } from "./_context.ts";
import { openJobStore } from "./_jobs.ts";

const help = `usage: deno task cli cancel <job-id> [--store URL] [--reason TEXT] [--json] [S3 flags]

Writes the job's cancel marker; its executor stops within a heartbeat. Finished tasks stay.
"retry" or a resubmission resumes it. Exits 3 when there is no such job.`;

/** Runs `cancel`. */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...storeFlagSpecs,
      reason: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean" },
    },
  });
  if (values.help) return ctx.out(help), 0;
  const [jobId] = positionals;
  if (!jobId) throw new UsageError(`cancel needs a job id.\n${help}`);
  const store = await openJobStore(values, ctx);
  try {
    await cancelJob(store, jobId, { reason: values.reason });
    if (values.json) ctx.out(JSON.stringify({ id: jobId, cancelled: true }));
    else ctx.err(`cancelled job ${jobId}`);
    return 0;
  } finally {
    await store.close?.();
  }
}
