/**
 * `deno task cli jobs [--json]`: the jobs in a store, newest first, with their states.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { listJobs, status } from "../lib/job/mod.ts";
import type { CliContext } from "./_context.ts";
import { storeFlagSpecs } from "./_context.ts";
import { openJobStore } from "./_jobs.ts";

const help = `usage: deno task cli jobs [--store URL] [--json] [S3 flags]

Lists the jobs recorded in the store (newest first) with state and task counts.`;

/** Runs `jobs`. */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { ...storeFlagSpecs, json: { type: "boolean" }, help: { type: "boolean" } },
  });
  if (values.help) return ctx.out(help), 0;
  const store = await openJobStore(values, ctx);
  try {
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
  } finally {
    await store.close?.();
  }
}
