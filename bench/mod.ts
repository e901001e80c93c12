/**
 * Runs every benchmark module in sequence (`deno task bench`). Each module exports
 * `run(): Promise<void>` and prints its own table; add yours to {@linkcode BENCHES}.
 *
 * @module
 */

/** Benchmark modules, run in this order. */
export const BENCHES: string[] = [
  "./shards.ts",
  "./codecs.ts",
  "./jobs.ts",
  "./manifests.ts",
];

if (import.meta.main) {
  for (const path of BENCHES) {
    const mod = await import(path);
    await mod.run();
  }
}
