/**
 * How a finished {@linkcode taskCommand} process reads as a {@linkcode TaskOutcome}: exit code
 * 0 ok, 1 failed (retryable), 3 failed for good, each with the outcome line `_task_main.ts`
 * prints last; anything else (a signal, exit 2, no outcome line) means the attempt crashed. The
 * local process launcher and the Modal supervisor both read outcomes here.
 *
 * @module
 */
import type { TaskOutcome } from "./supervisor.ts";

/** What a task process left: its exit code (null: killed by a signal) and its output. */
export interface TaskProcessResult {
  /** Exit code; null when a signal ended it. */
  exit: number | null;
  /** Its stdout (the last lines are enough). */
  stdout: string;
  /** Its stderr (the last lines are enough). */
  stderr: string;
  /** The signal that ended it, when one did. */
  signal?: string | null;
}

/**
 * The outcome of a task process.
 *
 * @example
 * ```ts
 * import { taskOutcome } from "./_task_outcome.ts";
 * const ok = taskOutcome({ exit: 0, stdout: '{"status":"ok","retryable":true}\n', stderr: "" });
 * const gone = taskOutcome({ exit: null, signal: "SIGKILL", stdout: "", stderr: "" });
 * if (ok.kind !== "result" || gone.kind !== "crashed") throw new Error();
 * ```
 */
export function taskOutcome(p: TaskProcessResult): TaskOutcome {
  const line = p.stdout.trimEnd().split("\n").at(-1) ?? "";
  let parsed:
    | { status?: unknown; retryable?: unknown; error?: unknown; warnings?: unknown }
    | undefined;
  try {
    const v = JSON.parse(line);
    if (v && typeof v === "object" && (v.status === "ok" || v.status === "failed")) parsed = v;
  } catch { /* no outcome line */ }
  if (parsed && (p.exit === 0 || p.exit === 1 || p.exit === 3)) {
    return {
      kind: "result",
      status: parsed.status as "ok" | "failed",
      retryable: p.exit !== 3 && parsed.retryable !== false,
      ...(typeof parsed.error === "string" && { error: parsed.error }),
      ...(Array.isArray(parsed.warnings) && { warnings: parsed.warnings }),
    };
  }
  const how = p.exit === null
    ? `killed by ${p.signal ?? "a signal"}`
    : `exited with code ${p.exit}`;
  const tail = p.stderr.trimEnd().split("\n").slice(-5).join(" | ").slice(0, 1000);
  return { kind: "crashed", reason: `task process ${how}${tail ? `: ${tail}` : ""}` };
}
