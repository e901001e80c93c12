/**
 * `deno task cli wait <job-id> [--timeout SECONDS] [--json] [--quiet]`: waits for a job with a
 * progress bar on stderr and exits by its final state.
 *
 * @module
 */
import { awaitResults, status } from "../lib/job/mod.ts";
import type { CliContext } from "./_context.ts";
import { parseCommand, UsageError, withStore } from "./_context.ts";
import {
  formatStatus,
  jobErrorExitCode,
  openJobStore,
  progressBar,
  stateExitCodes,
} from "./_jobs.ts";

const help =
  `usage: deno task cli wait <job-id> [--store URL] [--timeout SECONDS] [--json] [--quiet]

Waits until the job finishes. Exits 0 completed, 4 completed with errors, 5 failed,
6 cancelled, 7 timeout, 8 stalled, 3 no such job.`;

/** Runs `wait`. */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  const parsed = parseCommand(args, ctx, {
    name: "wait",
    help,
    options: {
      timeout: { type: "string" },
      json: { type: "boolean" },
      quiet: { type: "boolean" },
    },
    positionals: 1,
    needs: "a job id",
  });
  if (!parsed) return 0;
  const { values, positionals: [jobId = ""] } = parsed;
  const timeout = values.timeout === undefined ? undefined : Number(values.timeout) * 1000;
  if (timeout !== undefined && !Number.isFinite(timeout)) {
    throw new UsageError(`--timeout expects seconds, got "${values.timeout}"`);
  }
  return await withStore(openJobStore(values, ctx), async (store) => {
    try {
      const res = await awaitResults(store, jobId, {
        timeout,
        onProgress: values.json || values.quiet ? undefined : progressBar(),
      });
      if (values.json) ctx.out(JSON.stringify({ ...res.status, task_states: undefined }));
      else if (!values.quiet) { for (const line of formatStatus(res.status)) ctx.err(line); }
      return stateExitCodes[res.state];
    } catch (err) {
      const code = jobErrorExitCode(err);
      if (code === undefined || code === 3) throw err;
      if (values.json) {
        const s = await status(store, jobId);
        ctx.out(JSON.stringify({ ...s, task_states: undefined, error: (err as Error).message }));
      } else ctx.err((err as Error).message);
      return code;
    }
  });
}
