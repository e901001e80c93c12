/**
 * {@linkcode progressDisplay}: a job's progress as one Jupyter output updated in place, for
 * `awaitResults({ onProgress })` in a notebook.
 *
 * The display function is injected (in the Deno kernel, `Deno.jupyter.display`) rather than
 * looked up here: `Deno.jupyter` exists only inside the kernel, so `lib/` stays runnable and
 * testable anywhere, and a script keeps {@linkcode progressBar} on stderr.
 *
 * @module
 */
import type { DisplayBundle } from "../display/mod.ts";
import type { JobStatus } from "../job/mod.ts";
import { renderJobStatus } from "./job_view.ts";

/** The shape of `Deno.jupyter.display` that {@linkcode progressDisplay} calls. */
export type DisplayFunction = (
  bundle: DisplayBundle,
  options: { raw: true; display_id: string; update?: boolean },
) => unknown;

/** Options for {@linkcode progressDisplay}. */
export interface ProgressDisplayOptions {
  /** The output's display id. @default `shardline-progress-<random>` */
  displayId?: string;
}

/**
 * A progress reporter for `awaitResults({ onProgress })` that shows the job's status (a
 * progress bar, counts, failures) as one output, replaced in place at every change. Interrupting
 * the cell stops the waiting; the job runs on in its executor.
 *
 * @example
 * ```ts
 * import { progressDisplay } from "./progress_display.ts";
 * const calls: { update?: boolean; display_id: string }[] = [];
 * const report = progressDisplay((_bundle, options) => calls.push(options));
 * const status = (ok: number) => ({
 *   id: "j", state: ok === 2 ? "completed" : "running", output: "out", module: "m", backend: "local",
 *   created_at: "2026-01-01T00:00:00Z", tasks: { total: 2, ok, failed: 0, running: 2 - ok, pending: 0 },
 *   samples: { in: ok, out: ok, skipped: 0, failed: 0 }, failures: [], outputs: [], task_states: [],
 * }) as never;
 * report(status(0));
 * report(status(0)); // unchanged: not redrawn
 * report(status(2));
 * if (calls.length !== 2 || calls[0]!.update || !calls[1]!.update) throw new Error(JSON.stringify(calls));
 * if (calls[0]!.display_id !== calls[1]!.display_id) throw new Error("two outputs");
 * ```
 */
export function progressDisplay(
  display: DisplayFunction,
  options: ProgressDisplayOptions = {},
): (status: JobStatus) => void {
  if (typeof display !== "function") {
    throw new TypeError(
      `progressDisplay: "display" must be a function (in the Deno kernel: Deno.jupyter.display), ` +
        `got ${display === null ? "null" : typeof display}`,
    );
  }
  const displayId = options.displayId ??
    `shardline-progress-${crypto.randomUUID().slice(0, 8)}`;
  let shown = false;
  let last = "";
  return (s) => {
    const t = s.tasks;
    const key = `${s.state} ${t.ok} ${t.failed} ${t.running} ${s.samples.in} ${s.failures.length}`;
    if (key === last) return;
    last = key;
    display(renderJobStatus(s), { raw: true, display_id: displayId, update: shown });
    shown = true;
  };
}
