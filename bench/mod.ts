/**
 * Runs every benchmark module in sequence (`deno task bench`), then writes one table per
 * benchmark (measure, peer, ratio, date) into README.md between the bench markers: the ratios
 * each module recorded with `recordRatio` (`_report.ts`) as it printed its own output. Each
 * module exports `run(): Promise<void> | void`; add yours to {@linkcode BENCHES}.
 *
 * Usage: `deno run -A bench/mod.ts [--only shards,codecs] [--no-readme]`. With `--only`, the
 * README keeps the other benchmarks' tables as they were.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { recordedRatios, renderTables, replaceBetweenMarkers } from "./_report.ts";

/** Benchmark modules, run in this order. */
export const BENCHES: string[] = [
  "./shards.ts",
  "./codecs.ts",
  "./jobs.ts",
  "./manifests.ts",
  "./query.ts",
  "./index.ts",
];

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { only: { type: "string" }, "no-readme": { type: "boolean" } },
  });
  const only = values.only?.split(",").map((name) => `./${name.replace(/\.ts$/, "")}.ts`);
  for (const path of BENCHES) {
    if (only && !only.includes(path)) continue;
    const mod = await import(path);
    await mod.run();
  }
  if (!values["no-readme"] && recordedRatios().length) {
    const readme = new URL("../README.md", import.meta.url);
    const date = new Date().toISOString().slice(0, 10);
    const text = await Deno.readTextFile(readme);
    await Deno.writeTextFile(
      readme,
      replaceBetweenMarkers(text, renderTables(recordedRatios(), date)),
    );
    // deno fmt aligns the tables, so that `deno task check` (fmt --check) stays green.
    await new Deno.Command(Deno.execPath(), { args: ["fmt", "--quiet", readme.pathname] }).output();
    console.log(`\nREADME.md: benchmark tables written (${recordedRatios().length} ratios).`);
  }
}
