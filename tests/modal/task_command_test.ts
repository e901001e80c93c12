/**
 * One source of truth for the task command: the local executor's `"processes"` launcher runs
 * exactly `taskCommand()` (a `deno` wrapper logs each argv it gets), the Modal glue only runs the
 * argv it is given (the stand-in test checks what it ran against `taskCommand()` too), and the
 * Python files compile.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openStore } from "../../lib/store/open_store.ts";
import { submit } from "../../lib/exec/mod.ts";
import { taskCommand } from "../../lib/exec/task_command.ts";
import { jobKeys, type SupervisorMarker } from "../../lib/job/job_spec.ts";
import { readJson } from "../../lib/job/job_records.ts";
import { until, writeItems, writeJob } from "../job/_fixtures.ts";
import * as J from "../job/_jobs.ts";
import { PYTHON } from "../_tools.ts";
import { noPython } from "./_standin.ts";

const MODAL = fileURLToPath(new URL("../../modal/", import.meta.url));
const PY = ["app.py", "shardline_modal.py", "standin.py"];

Deno.test({ name: "modal/*.py compile (python3 -m py_compile)", ignore: noPython }, async () => {
  const cache = await Deno.makeTempDir({ prefix: "shardline-pycache-" });
  try {
    const { code, stderr } = await new Deno.Command(PYTHON, {
      args: ["-m", "py_compile", ...PY.map((f) => join(MODAL, f))],
      env: { PYTHONPYCACHEPREFIX: cache }, // nothing written into the repo
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
  } finally {
    await Deno.remove(cache, { recursive: true });
  }
});

Deno.test("the Python glue builds no deno command line: it runs the argv it is given", async () => {
  for (const f of ["app.py", "shardline_modal.py"]) {
    const text = await Deno.readTextFile(join(MODAL, f));
    assert.doesNotMatch(text, /"run",\s*"-A"|_task_main\.ts"\s*[,\]]|--not-final|--attempt/, f);
  }
  const glue = await Deno.readTextFile(join(MODAL, "shardline_modal.py"));
  assert.match(glue, /subprocess\.Popen\(argv, cwd=ROOT/);
  assert.match(glue, /subprocess\.Popen\(request\["argv"\], cwd=ROOT/);
});

Deno.test({
  name: "the local executor's processes launcher runs exactly taskCommand()",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "shardline-taskcmd-" });
    const argvLog = join(dir, "argv.log");
    const wrapper = join(dir, "deno");
    // Logs its arguments (NUL-separated, one line per call), then runs the real deno.
    await Deno.writeTextFile(
      wrapper,
      `#!/bin/sh\nprintf '%s\\0' "$@" >> '${argvLog}'\nprintf '\\n' >> '${argvLog}'\n` +
        `exec '${Deno.execPath()}' "$@"\n`,
      { mode: 0o755 },
    );
    const store = await openStore(join(dir, "store"));
    let module = "";
    try {
      await writeItems(store, "raw", 2, 10);
      module = await writeJob("identity", J.IDENTITY);
      const job = await submit(store, {
        input: "raw",
        output: "same",
        job: module,
        backendOptions: { launcher: "processes", denoPath: wrapper, logDir: join(dir, "logs") },
      });
      const res = await job.awaitResults({ timeout: 120_000 });
      assert.equal(res.state, "completed");
      assert.equal(res.samples.out, 20);
      await until(async () =>
        (await readJson<SupervisorMarker>(store, jobKeys(job.id).supervisor))?.finished_at
      );
      const calls = (await Deno.readTextFile(argvLog)).split("\n").filter((l) => l)
        .map((l) => l.split("\0").slice(0, -1))
        .filter((argv) => argv.includes("lib/exec/_task_main.ts"));
      const want = ["task-000000", "task-000001"].map((taskId) =>
        taskCommand(store.url, { jobId: job.id, taskId, attempt: 1, final: false }, {
          deno: wrapper,
        }).slice(1) // the wrapper logs what follows the binary
      );
      assert.deepEqual(calls.sort(), want.sort());
    } finally {
      await store.close?.();
      if (module) await Deno.remove(join(module, ".."), { recursive: true });
      await Deno.remove(dir, { recursive: true });
    }
  },
});
