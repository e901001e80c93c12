/**
 * `deno task cli status <job-id> [--json] [--tasks]`: a job's state, counts, rate, ETA and
 * failures, read from the store.
 *
 * @module
 */
import { status } from "../lib/job/mod.ts";
import type { CliContext } from "./_context.ts";
import { parseCommand, withStore } from "./_context.ts";
import { formatStatus, openJobStore, stateExitCodes } from "./_jobs.ts";

const help = `usage: deno task cli status <job-id> [--store URL] [--json] [--tasks] [S3 flags]

Prints the job's state, tasks done/failed/running/pending, samples, rate, ETA and failures.
Exits 0 for pending/running/completed, 4 completed with errors, 5 failed, 6 cancelled,
8 stalled, 3 no such job.`;

/** Runs `status`. */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  const parsed = parseCommand(args, ctx, {
    name: "status",
    help,
    options: { json: { type: "boolean" }, tasks: { type: "boolean" } },
    positionals: 1,
    needs: "a job id",
  });
  if (!parsed) return 0;
  const { values, positionals: [jobId = ""] } = parsed;
  return await withStore(openJobStore(values, ctx), async (store) => {
    const s = await status(store, jobId);
    if (values.json) {
      ctx.out(JSON.stringify(values.tasks ? s : { ...s, task_states: undefined }));
    } else {
      for (const line of formatStatus(s)) ctx.out(line);
      if (values.tasks) {
        for (const t of s.task_states) {
          const r = t.result;
          const detail = r
            ? `${r.samples_in} in, ${r.samples_out} out, ${r.duration_ms} ms, attempt ${r.attempt}` +
              (r.error ? `: ${r.error}` : "")
            : t.running
            ? `attempt ${t.running.attempt} on ${t.running.host}:${t.running.pid}`
            : "";
          ctx.out(`  ${t.id}  ${t.state.padEnd(7)}  ${detail}`);
        }
      }
    }
    return stateExitCodes[s.state];
  });
}
