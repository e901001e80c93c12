/**
 * `deno task cli verify <dataset>`: checks every committed shard against its manifest
 * (checksum, size, sample count, Parquet present and readable, offsets) and the index. Exits 1
 * when anything is wrong, naming each shard and problem; warnings alone exit 0.
 *
 * @module
 */
import { verifyDataset } from "../lib/dataset/mod.ts";
import type { CliContext } from "./_context.ts";
import { parseCommand, withStore } from "./_context.ts";
import { openDataset } from "./_dataset.ts";

const help = `usage: deno task cli verify <dataset> [--json] [--store URL] [S3 flags]

Verifies each committed shard: tar sha256, size and sample count against its manifest, the
.manifest.parquet present, readable, one row per sample at the right offsets; and the index.
Exit status 1 when a problem is found (warnings alone: 0).`;

/** Runs `verify`. */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  const parsed = parseCommand(args, ctx, {
    name: "verify",
    help,
    options: { json: { type: "boolean" } },
    positionals: 1,
    needs: "a dataset",
  });
  if (!parsed) return 0;
  const { values, positionals: [location = ""] } = parsed;
  const { store, dataset } = await openDataset(ctx, location, values);
  return await withStore(store, async () => {
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
  });
}
