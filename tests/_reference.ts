/**
 * Expected values from outside shardline: `tests/_py/reference.py` (a Python reference of the
 * documented bloom filter and histogram layouts, on numpy), run with the tests' Python. Tests
 * that use it declare `ignore: NO_REFERENCE` (a failure under CI when numpy is missing).
 *
 * @module
 */
import type { Histogram } from "../mod.ts";
import { needs, PYTHON, pythonHas } from "./_tools.ts";

const SCRIPT = new URL("./_py/reference.py", import.meta.url).pathname;

/** The `ignore` of tests that need the reference (Python 3 with numpy). */
export const NO_REFERENCE: boolean = needs(
  `Python 3 with numpy (${PYTHON}), for the reference values`,
  pythonHas("numpy"),
  "python3-numpy",
);

async function ask<T>(request: Record<string, unknown>): Promise<T> {
  const child = new Deno.Command(PYTHON, {
    args: [SCRIPT],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(JSON.stringify(request)));
  await w.close();
  const out = await child.output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  if (!out.success) throw new Error(`${PYTHON} ${SCRIPT} failed:\n${text(out.stderr)}`);
  return JSON.parse(text(out.stdout)) as T;
}

/** The bloom filter bits (base64) of `add` in an `m`-bit, `k`-hash filter; membership of `probe`. */
export function referenceBloom(
  m: number,
  k: number,
  add: string[],
  probe: string[] = [],
): Promise<{ base64: string; has: boolean[] }> {
  return ask({ op: "bloom", m, k, add, probe });
}

/** The histogram of `values` with fixed `edges`, or on the decimal grid (numpy counts). */
export function referenceHistogram(values: number[], edges?: number[]): Promise<Histogram> {
  return ask({ op: "histogram", values, edges: edges ?? null });
}

/** MurmurHash3_x86_32 of the UTF-8 bytes of each string. */
export function referenceMurmur3(data: string[], seed: number): Promise<number[]> {
  return ask({ op: "murmur3", data, seed });
}
