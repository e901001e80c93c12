/**
 * The command lines of executor processes, generated in one place: {@linkcode taskCommand}
 * runs one task attempt (`_task_main.ts`), {@linkcode modalSupervisorCommand} a job's supervisor
 * in a Modal container. Modal's Python functions receive these argv lists and run them as
 * given; nothing on the Python side rebuilds them.
 *
 * Paths are relative to shardline's root folder ({@linkcode SHARDLINE_ROOT} here, the image's
 * copy on Modal), where the commands run.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import type { TaskRequest } from "./supervisor.ts";

/** shardline's root folder on this machine: the folder the commands run in. */
export const SHARDLINE_ROOT: string = fileURLToPath(new URL("../../", import.meta.url));

/** Options of the command generators. */
export interface CommandOptions {
  /** The `deno` binary. @default "deno" (found on the PATH, as in the Modal image) */
  deno?: string;
  /** {@linkcode modalSupervisorCommand}: the backend name it records. @default "modal" */
  backend?: string;
}

/** `deno run` with shardline's config: the start every executor command shares. */
function denoRun(entry: string, options: CommandOptions): string[] {
  return [options.deno ?? "deno", "run", "-A", "--quiet", "--config", "deno.json", entry];
}

/**
 * The argv that runs one attempt of one task and exits (`lib/exec/_task_main.ts`): exit code
 * 0 ok, 1 failed (a retry may help), 3 failed for good, 2 usage or no such job or task; one
 * JSON line with the outcome on stdout.
 *
 * @example
 * ```ts
 * import { taskCommand } from "./task_command.ts";
 * const argv = taskCommand("s3://bucket/data", {
 *   jobId: "j-0123", taskId: "task-000001", attempt: 2, final: false,
 * });
 * const want = "deno run -A --quiet --config deno.json lib/exec/_task_main.ts " +
 *   "s3://bucket/data j-0123 task-000001 --attempt 2 --not-final";
 * if (argv.join(" ") !== want) throw new Error(argv.join(" "));
 * ```
 */
export function taskCommand(
  storeUrl: string,
  request: Pick<TaskRequest, "jobId" | "taskId" | "attempt" | "final">,
  options: CommandOptions = {},
): string[] {
  return [
    ...denoRun("lib/exec/_task_main.ts", options),
    storeUrl,
    request.jobId,
    request.taskId,
    "--attempt",
    String(request.attempt),
    ...(request.final ? [] : ["--not-final"]),
  ];
}

/**
 * The argv of a job's supervisor on Modal (`lib/exec/_modal_supervisor_main.ts`): it runs the
 * job's unfinished tasks, asking its parent (the Python supervisor function) on stdout to run
 * each attempt's {@linkcode taskCommand}, and reading the outcomes on stdin.
 *
 * @example
 * ```ts
 * import { modalSupervisorCommand } from "./task_command.ts";
 * const argv = modalSupervisorCommand("s3://bucket/data", "j-0123", 64);
 * if (argv.slice(-5).join(" ") !== "s3://bucket/data j-0123 64 --backend modal") throw new Error();
 * ```
 */
export function modalSupervisorCommand(
  storeUrl: string,
  jobId: string,
  concurrency: number,
  options: CommandOptions = {},
): string[] {
  return [
    ...denoRun("lib/exec/_modal_supervisor_main.ts", options),
    storeUrl,
    jobId,
    String(concurrency),
    "--backend",
    options.backend ?? "modal",
  ];
}
