/**
 * `deno task cli ls <dataset-or-prefix> [--json] [--store URL]`: lists the objects under a
 * dataset or prefix with their sizes.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { CliContext } from "./_context.ts";
import { storeFlagSpecs, UsageError } from "./_context.ts";
import { splitLocation } from "./_location.ts";

const help = `usage: deno task cli ls <dataset-or-prefix> [--json] [--store URL] [S3 flags]

Lists objects under a local folder (./data/my-dataset), file:// or s3://bucket/prefix URL.`;

/** Runs `ls`. */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...storeFlagSpecs, json: { type: "boolean" }, help: { type: "boolean" } },
  });
  if (values.help) return ctx.out(help), 0;
  const [location] = positionals;
  if (!location) throw new UsageError(`ls needs a dataset or prefix.\n${help}`);
  // A directory-like location is the store itself; otherwise list by the last segment prefix.
  const asDir = values.store === undefined && !location.includes("{");
  const { storeUrl, key } = asDir
    ? { storeUrl: location, key: "" }
    : splitLocation(location, values.store);
  const store = await ctx.openStore(storeUrl, values);
  try {
    let count = 0;
    let bytes = 0;
    for await (const info of store.list(key)) {
      count++;
      bytes += info.size;
      if (values.json) {
        ctx.out(JSON.stringify({
          key: info.key,
          size: info.size,
          lastModified: info.lastModified?.toISOString(),
        }));
      } else {
        ctx.out(`${String(info.size).padStart(12)}  ${info.key}`);
      }
    }
    if (!values.json) ctx.err(`${count} objects, ${bytes} bytes`);
    return 0;
  } finally {
    await store.close?.();
  }
}
