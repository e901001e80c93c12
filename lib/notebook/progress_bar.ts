/**
 * {@linkcode progressBar}: a job's progress as one bar on stderr (or any writer), for scripts
 * and the CLI: `awaitResults(store, id, { onProgress: progressBar() })`.
 *
 * @module
 */
import type { JobStatus } from "../job/status.ts";

/** Seconds as `12.3s`, `4m05s`, `2h10m`. */
export function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${Math.round(s % 60)}s` : `${Math.floor(m / 60)}h${m % 60}m`;
}

/**
 * A progress reporter for `awaitResults({ onProgress })` that draws one bar: redrawn in place
 * on a terminal, one line per change otherwise. Writes to stderr unless given a writer.
 *
 * @example
 * ```ts
 * import { progressBar } from "./progress_bar.ts";
 * const lines: string[] = [];
 * const report = progressBar((t) => lines.push(t), false);
 * const tasks = { total: 4, ok: 2, failed: 0, running: 2, pending: 0 };
 * report({ state: "running", tasks, samples_per_second: 1500 } as never);
 * if (lines[0] !== "[############............] 2/4 tasks 1500 samples/s running\n") throw new Error(lines[0]);
 * ```
 */
export function progressBar(
  write: (text: string) => void = (t) => Deno.stderr.writeSync(new TextEncoder().encode(t)),
  isTerminal: boolean = Deno.stderr.isTerminal(),
): (s: JobStatus) => void {
  let last = "";
  let lastKey = "";
  return (s) => {
    const t = s.tasks;
    const done = t.ok + t.failed;
    const width = 24;
    const fill = t.total ? Math.round((done / t.total) * width) : width;
    const rate = s.samples_per_second !== undefined
      ? ` ${Math.round(s.samples_per_second)} samples/s`
      : "";
    const eta = s.eta_seconds !== undefined ? ` ETA ${formatSeconds(s.eta_seconds)}` : "";
    const failed = t.failed ? ` ${t.failed} failed` : "";
    const line = `[${"#".repeat(fill)}${".".repeat(width - fill)}] ${done}/${t.total} tasks` +
      `${failed}${rate}${eta} ${s.state}`;
    if (line === last) return;
    last = line;
    const key = `${done} ${t.failed} ${s.state}`;
    if (isTerminal) write(`\r\x1b[K${line}${done === t.total ? "\n" : ""}`);
    else if (key !== lastKey) write(line + "\n");
    lastKey = key;
  };
}
