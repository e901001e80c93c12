/**
 * `deno task cli materialize <dataset> --where EXPR [--output DATASET]`: the matching samples
 * written as a new dataset (a view cached under `_views/<hash>/`; asking again writes nothing).
 *
 * @module
 */
import { materialize } from "../lib/query/mod.ts";
import { type CliContext, parseCommand, withStore } from "./_context.ts";
import { openDataset } from "./_dataset.ts";

const help = `usage: deno task cli materialize <dataset> [--where EXPR] [--output DATASET]
                                 [--maxcount N] [--json] [--cache DIR] [--store URL] [S3 flags]

--output is a dataset in the same store (default _views/<hash>).`;

/** Runs `materialize`. */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  const parsed = parseCommand(args, ctx, {
    name: "materialize",
    help,
    options: {
      where: { type: "string" },
      output: { type: "string" },
      maxcount: { type: "string" },
      json: { type: "boolean" },
      cache: { type: "string" },
    },
    positionals: 1,
    needs: "a dataset",
    valid: ({ values: v }) => v.maxcount === undefined || /^[1-9]\d*$/.test(v.maxcount),
  });
  if (!parsed) return 0;
  const { values, positionals: [location = ""] } = parsed;
  const { store, dataset } = await openDataset(ctx, location, values);
  return await withStore(store, async () => {
    const view = await materialize(store, dataset, { where: values.where }, {
      output: values.output?.replace(/\/+$/, ""),
      maxcount: values.maxcount ? Number(values.maxcount) : undefined,
      cacheDir: values.cache,
    });
    if (values.json) ctx.out(JSON.stringify(view));
    else {
      ctx.out(
        `${
          view.cached ? "cached" : "wrote"
        } view ${view.hash}: ${view.samples} samples in ${view.shards.length} shards at "${view.output}"`,
      );
    }
    return 0;
  });
}
