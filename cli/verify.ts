/**
 * `deno task cli verify <dataset>`: checks every committed shard against its manifest
 * (checksum, size, sample count, Parquet present and readable, offsets) and the index. Exits 1
 * when anything is wrong, naming each shard and problem; warnings alone exit 0.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { verifyDataset } from "../lib/manifest/mod.ts";
import type { CliContext } from "./_context.ts";
import { storeFlagSpecs, UsageError } from "./_context.ts";
import { openDataset } from "./_dataset.ts";

const help = `usage: deno task cli verify <dataset> [--json] [--store URL] [S3 flags]

Verifies each committed shard: tar sha256, size and sample count against its manifest, the
.manifest.parquet present, readable, one row per sample at the right offsets; and the index.
Exit status 1 when a problem is found (warnings alone: 0).`;

/** Runs `verify`. */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...storeFlagSpecs, json: { type: "boolean" }, help: { type: "boolean" } },
  });
  if (values.help) return ctx.out(help), 0;
  const [location] = positionals;
  if (!location) throw new UsageError(`verify needs a dataset.\n${help}`);
  const { store, dataset } = await openDataset(ctx, location, values);
  try {
    const report = await verifyDataset(store, dataset);
    if (values.json) ctx.out(JSON.stringify(report));
    else {
      for (const p of report.problems) {
        ctx.out(`${p.severity === "error" ? "ERROR" : "warning"} ${p.code}: ${p.message}`);
      }
      const errors = report.problems.filter((p) => p.severity === "error").length;
      ctx.err(
        `${report.shards} shards verified: ${
          errors ? `${errors} problem${errors === 1 ? "" : "s"}` : "ok"
        }`,
      );
    }
    return report.ok ? 0 : 1;
  } finally {
    await store.close?.();
  }
}
