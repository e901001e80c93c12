/**
 * `deno task cli cancel <job-id> [--reason TEXT] [--json]`: asks the job's executor to stop.
 *
 * @module
 */
import { cancelJob } from "../lib/job/mod.ts";
import type { CliContext } from "./_context.ts";
import { parseCommand, withStore } from "./_context.ts";
import { openJobStore } from "./_jobs.ts";

const help = `usage: deno task cli cancel <job-id> [--store URL] [--reason TEXT] [--json] [S3 flags]

Writes the job's cancel marker; its executor stops within a heartbeat. Finished tasks stay.
"retry" or a resubmission resumes it. Exits 3 when there is no such job.`;

/** Runs `cancel`. */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  const parsed = parseCommand(args, ctx, {
    name: "cancel",
    help,
    options: { reason: { type: "string" }, json: { type: "boolean" } },
    positionals: 1,
    needs: "a job id",
  });
  if (!parsed) return 0;
  const { values, positionals: [jobId = ""] } = parsed;
  return await withStore(openJobStore(values, ctx), async (store) => {
    await cancelJob(store, jobId, { reason: values.reason });
    if (values.json) ctx.out(JSON.stringify({ id: jobId, cancelled: true }));
    else ctx.err(`cancelled job ${jobId}`);
    return 0;
  });
}
