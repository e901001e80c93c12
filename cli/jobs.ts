/**
 * `deno task cli jobs [--json]`: the jobs in a store, newest first, with their states.
 *
 * @module
 */
import { listJobs, status } from "../lib/job/mod.ts";
import type { CliContext } from "./_context.ts";
import { parseCommand, withStore } from "./_context.ts";
import { openJobStore } from "./_jobs.ts";

const help = `usage: deno task cli jobs [--store URL] [--json] [S3 flags]

Lists the jobs recorded in the store (newest first) with state and task counts.`;

/** Runs `jobs`. */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  const parsed = parseCommand(args, ctx, {
    name: "jobs",
    help,
    options: { json: { type: "boolean" } },
  });
  if (!parsed) return 0;
  const { values } = parsed;
  return await withStore(openJobStore(values, ctx), async (store) => {
    for (const job of await listJobs(store)) {
      const s = await status(store, job.id);
      const row = {
        ...job,
        state: s.state,
        tasks_ok: s.tasks.ok,
        tasks_failed: s.tasks.failed,
        samples_out: s.samples.out,
      };
      if (values.json) ctx.out(JSON.stringify(row));
      else {
        ctx.out(
          `${job.id}  ${s.state.padEnd(21)}  ${s.tasks.ok}/${job.tasks} ok  ` +
            `${job.created_at}  ${job.module} -> ${job.output}`,
        );
      }
    }
    return 0;
  });
}
