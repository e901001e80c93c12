/**
 * Test fixture: backend `"modal-standin"`, a LOCAL STAND-IN for Modal (never reported as
 * Modal). It is the {@linkcode ModalExecutor} with one part replaced: instead of spawning the
 * deployed `supervise` function through the SDK, it starts `python3 modal/standin.py <request>`,
 * which runs the same Python glue Modal's functions run (`modal/shardline_modal.py`) with a
 * local spawn for the task calls. Everything else is the modal backend's own flow: the request
 * and its argv, the executor record, the TypeScript supervisor in a subprocess, the fan-out,
 * Modal-style container retries, the task command, results in the store.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { ModalExecutor } from "../../lib/exec/modal_executor.ts";
import { registerExecutor } from "../../lib/exec/executor.ts";
import type { OpenStoreOptions } from "../../lib/store/open_store.ts";
import { needs, PYTHON, runs } from "../_tools.ts";

/** The `ignore` of tests that run the Python glue: Python 3 runs it. */
export const noPython: boolean = needs(
  `Python 3 (${PYTHON})`,
  runs(PYTHON, ["--version"]),
  "python3",
);

const STANDIN = fileURLToPath(new URL("../../modal/standin.py", import.meta.url));

/** Settings of the stand-in's Python process (what Modal's Secret and platform would give). */
export interface StandinSettings {
  /** The Secret's store options (`SHARDLINE_STORE_OPTIONS`). */
  storeOptions: OpenStoreOptions;
  /** A folder put first on the PATH (a `deno` wrapper, say). */
  pathPrefix?: string;
  /** Where the stand-in logs each task process it starts (one JSON line each). */
  callLog?: string;
  /** Container retries of a task call that crashed. @default 2 */
  maxRetries?: number;
}

/** A stand-in process started: wait for `done` at the end of a test. */
export interface StandinProcess {
  pid: number;
  /** Resolves when it exited: its exit code and its stdout and stderr. */
  done: Promise<{ code: number; output: string }>;
}

/** Stand-in processes started, to wait for at the end of a test. */
export const standinProcesses: StandinProcess[] = [];

/** Registers backend `"modal-standin"` with these settings (replacing earlier ones). */
export function registerStandin(settings: StandinSettings): void {
  registerExecutor(
    new ModalExecutor({
      name: "modal-standin",
      spawnSupervisor: (request) => {
        const path = Deno.env.get("PATH") ?? "";
        const child = new Deno.Command(PYTHON, {
          args: [STANDIN, JSON.stringify(request)],
          clearEnv: true,
          env: {
            PATH: settings.pathPrefix ? `${settings.pathPrefix}:${path}` : path,
            HOME: Deno.env.get("HOME") ?? "/tmp",
            SHARDLINE_STORE_OPTIONS: JSON.stringify(settings.storeOptions),
            STANDIN_MAX_RETRIES: String(settings.maxRetries ?? 2),
            ...(settings.callLog && { STANDIN_CALL_LOG: settings.callLog }),
            // Not allow-listed: must not reach deno processes (a test looks for it).
            STANDIN_CANARY: "canary-must-not-pass",
          },
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
        }).spawn();
        const done = Promise.all([
          child.status,
          new Response(child.stdout).text(),
          new Response(child.stderr).text(),
        ]).then(([status, out, err]) => ({ code: status.code, output: out + err }));
        standinProcesses.push({ pid: child.pid, done });
        return Promise.resolve(`standin-pid-${child.pid}`);
      },
    }),
  );
}
