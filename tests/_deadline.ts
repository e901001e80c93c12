/**
 * Deadlines for tests: a test body that must end within a time, and a subprocess that is
 * killed, and fails the test with what it printed, when it runs past one. A broken guarantee
 * then fails the suite with a message instead of hanging it. (Deadlines, never timing
 * assertions: they are minutes apart from the normal run time.)
 *
 * @module
 */

/**
 * Wraps a test body: it fails with `what did not finish within <ms> ms` if it runs longer.
 *
 * @example
 * ```ts ignore
 * Deno.test("a job runs", withDeadline(120_000, async () => { ... }));
 * ```
 */
export function withDeadline(
  ms: number,
  body: (t: Deno.TestContext) => Promise<void>,
): (t: Deno.TestContext) => Promise<void> {
  return async (t) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`test "${t.name}" did not finish within ${ms} ms`)),
        ms,
      );
    });
    try {
      await Promise.race([body(t), limit]);
    } finally {
      clearTimeout(timer);
    }
  };
}

/** What a process run by {@linkcode outputWithin} printed, and how it ended. */
export interface ProcessOutput {
  code: number;
  success: boolean;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to its end, or kills it (SIGKILL) at `ms` and throws an error naming `what`
 * with the output it had printed.
 */
export async function outputWithin(
  command: Deno.Command,
  ms: number,
  what: string,
): Promise<ProcessOutput> {
  const child = command.spawn();
  let late = false;
  const timer = setTimeout(() => {
    late = true;
    try {
      child.kill("SIGKILL");
    } catch { /* ended meanwhile */ }
  }, ms);
  try {
    const out = await child.output();
    const text = (b: Uint8Array) => new TextDecoder().decode(b);
    const result = {
      code: out.code,
      success: out.success,
      stdout: text(out.stdout),
      stderr: text(out.stderr),
    };
    if (late) {
      throw new Error(
        `${what} did not end within ${ms} ms (killed)\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`,
      );
    }
    return result;
  } finally {
    clearTimeout(timer);
  }
}
