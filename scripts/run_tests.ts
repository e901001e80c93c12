/**
 * Runs the whole test suite (`deno test -A --doc --parallel . README.md`; given arguments, they
 * replace `. README.md`) with `TMPDIR` pointed at a fresh private folder, then leaves nothing behind: it stops any
 * process still naming that folder (a local supervisor kept warm for its keep-alive, a worker)
 * and removes the folder with every temp folder, supervisor log, code and bundle cache, query
 * cache and agent socket the tests made under it. What it had to remove is printed, so a test
 * that leaks shows up as a line here rather than as litter in `/tmp`. Exits with the test run's
 * code.
 *
 * Test files remove their own temp folders and processes as well (`tests/_scratch.ts`); this is
 * the suite-wide guarantee, for a run of every test at once.
 *
 * Usage: `deno run -A scripts/run_tests.ts [paths and deno test flags...]` (the `test` task runs
 * it). Not named `test.ts`: `deno test` would take that name for a test module and run it.
 *
 * @module
 */
import { join } from "node:path";
import { processesNaming } from "../tests/_scratch.ts";

const base = await Deno.makeTempDir({ prefix: "shardline-test-run-" });

/** Files and folders below `dir`, counted (for the report). */
function count(dir: string): number {
  let n = 0;
  for (const e of Deno.readDirSync(dir)) {
    n++;
    if (e.isDirectory && !e.isSymlink) n += count(join(dir, e.name));
  }
  return n;
}

let code = 1;
try {
  const what = Deno.args.length ? Deno.args : [".", "README.md"];
  const child = new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", "--doc", "--parallel", ...what],
    env: { TMPDIR: base },
    stdin: "null",
  }).spawn();
  code = (await child.status).code;
} finally {
  const pids = processesNaming([base]).map((p) => p.pid);
  for (const pid of pids) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch { /* ended meanwhile */ }
  }
  const left = count(base);
  Deno.removeSync(base, { recursive: true });
  console.log(
    `test run: removed its temp folder ${base} (${left} files and folders the tests left there)` +
      (pids.length ? ` and stopped ${pids.length} process(es) still using it` : ""),
  );
}
Deno.exit(code);
