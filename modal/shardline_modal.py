"""The Python glue that Modal's functions (and the local stand-in) run: stdlib only, no Modal.

Nothing here builds a command line. The TypeScript side generates every argv
(`taskCommand()`, `modalSupervisorCommand()` in lib/exec/task_command.ts) and the list of
environment variables a process may see (`EXECUTOR_ENV_ALLOW` in lib/exec/executor_env.ts,
sent with the supervisor request); this module runs them as given, in shardline's root folder.

supervise(request, spawn): runs the job's TypeScript supervisor and carries its protocol
  lines: each {"run": {"id", "argv"}} becomes spawn(argv) (Modal: task.spawn(argv)), each
  outcome goes back on the supervisor's stdin.
run_task(argv, env): runs one task attempt's argv; raises TaskCrashed when the process died
  without an outcome (killed, out of memory), so that Modal's own retries run it again (the
  task runner is idempotent: a rerun skips a task whose result is already ok).
"""

import json
import os
import subprocess
import sys
import threading

ROOT = os.environ.get("SHARDLINE_ROOT") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TAG = "\x1eshardline-modal "
# Exit codes of lib/exec/_task_main.ts that carry an outcome line: 0 ok, 1 failed, 3 failed for good.
OUTCOME_EXITS = (0, 1, 3)
TAIL = 4000


class TaskCrashed(Exception):
    """A task process ended without an outcome: Modal retries the call."""


def child_env(allow, pass_through=("SHARDLINE_STORE_OPTIONS",), source=None):
    """The environment of a deno process: the allow-listed variables (names ending in "_" are
    prefixes) plus the store options variable; nothing else of the container's environment."""
    source = os.environ if source is None else source
    env = {}
    for name, value in source.items():
        if name in pass_through or any(
            name.startswith(a) if a.endswith("_") else name == a for a in allow
        ):
            env[name] = value
    env["NO_COLOR"] = "1"
    return env


def run_task(argv, env, started=None):
    """Runs one task attempt; returns {"exit", "signal", "stdout", "stderr"} (tails).
    `started(proc)` is called with the process once it runs (the stand-in kills it on cancel)."""
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if started is not None:
        started(proc)
    stdout, stderr = proc.communicate()
    result = {
        "exit": proc.returncode if proc.returncode >= 0 else None,
        "signal": None if proc.returncode >= 0 else "signal %d" % -proc.returncode,
        "stdout": stdout[-TAIL:],
        "stderr": stderr[-TAIL:],
    }
    if result["exit"] not in OUTCOME_EXITS:
        raise TaskCrashed("task process %s: %s" % (
            "exited with code %s" % result["exit"] if result["exit"] is not None else "killed by " + result["signal"],
            " | ".join(stderr.strip().splitlines()[-5:])[:1000]))
    return result


def supervise(request, spawn, log=None):
    """Runs the TypeScript supervisor `request["argv"]` and runs its task requests through
    `spawn(argv)`, which returns a handle with get() (the run_task result, or raises) and
    cancel(). Returns {"exit": code, "summary": ...}."""
    log = log or (lambda line: print(line, file=sys.stderr, flush=True))
    env = child_env(request["env_allow"])
    proc = subprocess.Popen(request["argv"], cwd=ROOT, env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, bufsize=1)
    lock = threading.Lock()
    calls = {}
    summary = None

    def reply(message):
        with lock:
            try:
                proc.stdin.write(json.dumps(message) + "\n")
                proc.stdin.flush()
            except (BrokenPipeError, ValueError):
                pass  # the supervisor is gone

    def wait(call_id, handle):
        try:
            result = handle.get()
            reply(dict(result, id=call_id))
        except Exception as err:  # the call failed after Modal's retries, or was cancelled
            reply({"id": call_id, "error": "%s: %s" % (type(err).__name__, err)})
        finally:
            calls.pop(call_id, None)

    for line in proc.stdout:
        if not line.startswith(TAG):
            log(line.rstrip("\n"))
            continue
        message = json.loads(line[len(TAG):])
        if "run" in message:
            run = message["run"]
            log("run %s attempt %s" % (run.get("task"), run.get("attempt")))
            try:
                handle = spawn(run["argv"])
            except Exception as err:
                reply({"id": run["id"], "error": "cannot spawn: %s" % err})
                continue
            calls[run["id"]] = handle
            threading.Thread(target=wait, args=(run["id"], handle), daemon=True).start()
        elif "cancel" in message:
            handle = calls.get(message["cancel"])
            if handle is not None:
                handle.cancel()
        elif "abort" in message:
            for handle in list(calls.values()):
                handle.cancel()
        elif "done" in message:
            summary = message["done"]
    code = proc.wait()
    with lock:
        try:
            proc.stdin.close()
        except (BrokenPipeError, ValueError):
            pass
    return {"exit": code, "summary": summary}
