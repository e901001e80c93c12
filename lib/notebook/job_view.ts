/**
 * {@linkcode renderJobStatus} and {@linkcode renderJobResults}: a job's state, progress and
 * failures (with their reasons) as HTML for Jupyter.
 *
 * @module
 */
import { type DisplayBundle, registerRenderer } from "../display/mod.ts";
import type { JobResults, JobStatus } from "../job/mod.ts";
import { esc, num, progressHtml, section, table } from "./_html.ts";
import { formatSeconds } from "./progress_bar.ts";

/** One line: `3/4 tasks · 1 failed · 1500 samples/s · ETA 2.0s`. */
export function statusLine(s: JobStatus): string {
  const t = s.tasks;
  const parts = [`${t.ok + t.failed}/${t.total} tasks`];
  if (t.failed) parts.push(`${t.failed} failed`);
  if (t.running) parts.push(`${t.running} running`);
  parts.push(`${num(s.samples.in)} samples in, ${num(s.samples.out)} out`);
  if (s.samples.failed) parts.push(`${num(s.samples.failed)} samples failed`);
  if (s.samples_per_second !== undefined) parts.push(`${num(Math.round(s.samples_per_second))}/s`);
  if (s.eta_seconds !== undefined) parts.push(`ETA ${formatSeconds(s.eta_seconds)}`);
  return `${s.state}: ${parts.join(" · ")}`;
}

function failuresHtml(s: JobStatus): string {
  if (!s.failures.length) return "";
  const rows = s.failures.slice(0, 20).map((f) => [
    esc(f.task),
    esc(f.key ?? ""),
    esc(f.reason),
  ]);
  const more = s.failures.length > 20 ? `<div>... and ${s.failures.length - 20} more</div>` : "";
  return `<div><b>Failures</b></div>` + table(["task", "key", "reason"], rows) + more;
}

function failuresText(s: JobStatus): string[] {
  return s.failures.slice(0, 10).map((f) =>
    `  ${f.task}${f.key ? ` [${f.key}]` : ""}: ${f.reason}`
  );
}

/** A warning in one line: `compact of "out" failed (io): ...`. */
function warningLine(w: NonNullable<JobStatus["warnings"]>[number]): string {
  return `${w.stage} of "${w.dataset}" failed (${w.code}): ${w.message}`;
}

function warningsHtml(s: JobStatus): string {
  if (!s.warnings?.length) return "";
  const rows = s.warnings.slice(0, 20).map((w) => [esc(w.task), esc(warningLine(w))]);
  return `<div><b>Warnings</b> (the tasks succeeded)</div>` + table(["task", "warning"], rows);
}

function warningsText(s: JobStatus): string[] {
  return (s.warnings ?? []).slice(0, 10).map((w) => `  warning ${w.task}: ${warningLine(w)}`);
}

/**
 * Renders a job's status: name, state, a progress bar, counts, output and failures.
 *
 * @example
 * ```ts
 * import { renderJobStatus } from "./job_view.ts";
 * const bundle = renderJobStatus({
 *   id: "j1", state: "running", output: "out", module: "m.ts", backend: "local",
 *   created_at: "2026-01-01T00:00:00Z", tasks: { total: 4, ok: 1, failed: 1, running: 2, pending: 0 },
 *   samples: { in: 10, out: 9, skipped: 0, failed: 1 }, outputs: [], task_states: [],
 *   failures: [{ task: "t1", key: "k7", reason: "boom" }],
 *   warnings: [{ task: "t0", stage: "compact", dataset: "out", code: "io", message: "disk full" }],
 * } as never);
 * if (!bundle["text/html"]!.includes("boom") || !bundle["text/html"]!.includes("<progress")) {
 *   throw new Error(bundle["text/html"]);
 * }
 * if (!bundle["text/plain"]!.includes('compact of "out" failed (io): disk full')) throw new Error();
 * ```
 */
export function renderJobStatus(s: JobStatus): DisplayBundle {
  const name = s.job ? `${s.job.name}@${s.job.version} ` : "";
  const title = `Job ${name}${s.id}`;
  const t = s.tasks;
  const stalled = s.stalled
    ? `<div>stalled: ${esc(s.stalled.reason)}${
      s.stalled.log ? ` (log: ${esc(s.stalled.log)})` : ""
    }</div>`
    : "";
  const html = section(
    title,
    progressHtml(t.ok + t.failed, t.total, statusLine(s)) +
      `<div>output: <code>${esc(s.output)}</code> · ${num(s.outputs.length)} shards · ` +
      `backend ${esc(s.backend)}</div>` + stalled + failuresHtml(s) + warningsHtml(s),
  );
  const text = [`${title} ${statusLine(s)} -> ${s.output}`, ...failuresText(s), ...warningsText(s)]
    .join("\n");
  return { "text/html": html, "text/plain": text };
}

/**
 * Renders what a finished job produced (its final status, output shards, failures).
 *
 * @example
 * ```ts
 * import { renderJobResults } from "./job_view.ts";
 * const status = {
 *   id: "j1", state: "completed", output: "out", module: "m.ts", backend: "local",
 *   created_at: "2026-01-01T00:00:00Z", tasks: { total: 1, ok: 1, failed: 0, running: 0, pending: 0 },
 *   samples: { in: 2, out: 2, skipped: 0, failed: 0 }, outputs: [], task_states: [], failures: [],
 * };
 * const bundle = renderJobResults({ ...status, shards: [], status } as never);
 * if (!bundle["text/plain"]!.includes("completed")) throw new Error(bundle["text/plain"]);
 * ```
 */
export function renderJobResults(r: JobResults): DisplayBundle {
  return renderJobStatus(r.status);
}

registerRenderer("job_status", renderJobStatus);
registerRenderer("job_results", renderJobResults);
