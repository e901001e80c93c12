/**
 * `deno task cli ls <dataset-or-prefix> [--json] [--store URL]`: lists the objects under a
 * dataset or prefix with their sizes.
 *
 * @module
 */
import type { CliContext } from "./_context.ts";
import { parseCommand, withStore } from "./_context.ts";
import { splitLocation } from "./_location.ts";

const help = `usage: deno task cli ls <dataset-or-prefix> [--json] [--store URL] [S3 flags]

Lists objects under a local folder (./data/my-dataset), file:// or s3://bucket/prefix URL.`;

/** Runs `ls`. */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  const parsed = parseCommand(args, ctx, {
    name: "ls",
    help,
    options: { json: { type: "boolean" } },
    positionals: 1,
    needs: "a dataset or prefix",
  });
  if (!parsed) return 0;
  const { values, positionals: [location = ""] } = parsed;
  // A directory-like location is the store itself; otherwise list by the last segment prefix.
  const asDir = values.store === undefined && !location.includes("{");
  const { storeUrl, key } = asDir
    ? { storeUrl: location, key: "" }
    : splitLocation(location, values.store);
  return await withStore(ctx.openStore(storeUrl, values), async (store) => {
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
  });
}
