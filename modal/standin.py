"""LOCAL STAND-IN for Modal, used by tests only; it is not Modal and never reported as Modal.

  python3 modal/standin.py '<supervisor request JSON>'

Runs the same glue Modal's functions run (shardline_modal.supervise and run_task, with the
argv lists the TypeScript side generated), with a local spawn in place of Modal's
`task.spawn`: each task call runs run_task in a thread, and a call that raises TaskCrashed is
run again up to STANDIN_MAX_RETRIES times (as modal.Retries would). It counts what it ran in
STANDIN_CALL_LOG (one JSON line per task call try with its argv, one with the pid of each
process started), when set.
"""

import json
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shardline_modal  # noqa: E402


class LocalCall:
    """A task call run in a thread: get() and cancel(), like a Modal FunctionCall."""

    def __init__(self, argv, env, retries, call_log):
        self.argv, self.env, self.retries, self.call_log = argv, env, retries, call_log
        self.cancelled = False
        self.proc = None
        self.result, self.error = None, None
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        for attempt in range(self.retries + 1):
            if self.cancelled:
                self.error = RuntimeError("cancelled")
                return
            if self.call_log:
                with open(self.call_log, "a") as f:
                    f.write(json.dumps({"argv": self.argv, "container_try": attempt}) + "\n")
            try:
                result = shardline_modal.run_task(self.argv, self.env, self.started)
                self.result, self.error = result, None
                return
            except shardline_modal.TaskCrashed as err:
                self.error = err

    def started(self, proc):
        self.proc = proc
        if self.call_log:
            with open(self.call_log, "a") as f:
                f.write(json.dumps({"pid": proc.pid}) + "\n")
        if self.cancelled:
            proc.kill()

    def get(self):
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.result

    def cancel(self):
        self.cancelled = True
        if self.proc is not None:
            self.proc.kill()


def main():
    request = json.loads(sys.argv[1])
    retries = int(os.environ.get("STANDIN_MAX_RETRIES", "2"))
    call_log = os.environ.get("STANDIN_CALL_LOG")
    env = shardline_modal.child_env(request["env_allow"])
    out = shardline_modal.supervise(request, lambda argv: LocalCall(argv, env, retries, call_log))
    print(json.dumps(out), flush=True)
    sys.exit(0 if out["exit"] == 0 else 1)


if __name__ == "__main__":
    main()
