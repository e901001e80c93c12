/**
 * The outside tools the cross-checks run (Python 3 with `tarfile`, `msgpack` and `numpy`, GNU
 * `tar`, Node.js for s3rver), and what happens when one is missing: under CI (`CI=true`, set by
 * `.ci/run`) the test file gets a FAILING test that names the setup step, so a cross-check can
 * never vanish from a green run; locally the skipped tests are announced loudly on stderr.
 *
 * `SHARDLINE_TEST_PYTHON` overrides the Python used (default `/usr/bin/python3`, Debian's, the
 * one `scripts/setup.ts` installs modules for; the `python3` first on PATH may lack them).
 *
 * @module
 */
import { runPiped } from "../lib/shard/_test_tars.ts";

/** The Python the cross-checks run. */
export const PYTHON = Deno.env.get("SHARDLINE_TEST_PYTHON") || "/usr/bin/python3";

/** The setup step that installs every tool the tests need. */
export const SETUP_STEP = "`deno task setup --test` (scripts/setup.ts --test)";

/** Whether `exe args...` runs and exits 0. */
export function runs(exe: string, args: string[]): boolean {
  try {
    return new Deno.Command(exe, { args, stdin: "null", stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false; // not found
  }
}

/** Whether `PYTHON` imports every module named. */
export function pythonHas(...modules: string[]): boolean {
  return runs(PYTHON, ["-c", `import ${modules.join(", ")}`]);
}

/**
 * Decides the `ignore` of the tests that need a tool: false when `available`. When not: under
 * CI, registers a failing test naming the tool and the setup step, and returns true (the other
 * tests are not run, the run fails); locally, prints a loud notice and returns true.
 *
 * @example
 * ```ts ignore
 * const ignore = needs("GNU tar", runs("tar", ["--version"]), "tar");
 * Deno.test({ name: "GNU tar lists our shards", ignore }, () => {});
 * ```
 */
export function needs(what: string, available: boolean, debianPackage: string): boolean {
  if (available) return false;
  const message = `${what} is missing, so the cross-checks that need it cannot run: ` +
    `install it with ${SETUP_STEP} (Debian package ${debianPackage})`;
  if (Deno.env.get("CI") === "true") {
    Deno.test(`[setup] ${what} is installed (CI requires every cross-check)`, () => {
      throw new Error(`${message}. Under CI=true a missing tool fails the run.`);
    });
  } else {
    console.error(
      `\n${"!".repeat(78)}\n!! SKIPPED: ${message}.\n!! (Under CI=true this is a failure.)\n${
        "!".repeat(78)
      }\n`,
    );
  }
  return true;
}

/** Runs a Python script with `args`, feeding `stdin`; returns stdout, throws with stderr. */
export async function python(
  script: string,
  args: string[] = [],
  stdin?: Uint8Array,
): Promise<Uint8Array> {
  const out = await runPiped(PYTHON, ["-c", script, ...args], stdin);
  if (!out.success) throw new Error(`python failed: ${new TextDecoder().decode(out.stderr)}`);
  return out.stdout;
}
