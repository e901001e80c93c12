import assert from "node:assert/strict";
import { taskOutcome } from "./_task_outcome.ts";

const line = (o: unknown) => `some job output\n${JSON.stringify(o)}\n`;

Deno.test("taskOutcome reads _task_main's exit codes and outcome line", () => {
  assert.deepEqual(
    taskOutcome({ exit: 0, stdout: line({ status: "ok", retryable: true }), stderr: "" }),
    { kind: "result", status: "ok", retryable: true },
  );
  assert.deepEqual(
    taskOutcome({
      exit: 1,
      stdout: line({ status: "failed", retryable: true, error: "disk full" }),
      stderr: "",
    }),
    { kind: "result", status: "failed", retryable: true, error: "disk full" },
  );
  // Exit 3: no retry can help, whatever the line says.
  const final = taskOutcome({
    exit: 3,
    stdout: line({ status: "failed", retryable: true, error: "bad code" }),
    stderr: "",
  });
  assert.equal(final.kind === "result" && final.retryable, false);
  // A succeeded task's warnings (a failed automatic compaction) reach the executor's log.
  const warning = { stage: "compact", dataset: "out", code: "io", message: "refused" };
  assert.deepEqual(
    taskOutcome({
      exit: 0,
      stdout: line({ status: "ok", retryable: true, warnings: [warning] }),
      stderr: "",
    }),
    { kind: "result", status: "ok", retryable: true, warnings: [warning] },
  );
});

Deno.test("taskOutcome: no outcome line, exit 2 or a signal is a crash with the stderr tail", () => {
  const killed = taskOutcome({ exit: null, signal: "SIGKILL", stdout: "", stderr: "a\nb\n" });
  assert.deepEqual(killed, { kind: "crashed", reason: "task process killed by SIGKILL: a | b" });
  const noLine = taskOutcome({ exit: 1, stdout: "", stderr: "Cannot open store\n" });
  assert.deepEqual(noLine, {
    kind: "crashed",
    reason: "task process exited with code 1: Cannot open store",
  });
  const usage = taskOutcome({ exit: 2, stdout: line({ status: "ok" }), stderr: "" });
  assert.equal(usage.kind, "crashed");
  const garbage = taskOutcome({ exit: 0, stdout: "{not json", stderr: "" });
  assert.equal(garbage.kind, "crashed");
});
