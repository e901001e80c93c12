/**
 * `deno task cli get <dataset> <key>`: one sample by key (through the dataset's key index), as
 * one JSON line with `__key__`, `__shard__`, `__offset__`, `__size__` and its decoded fields.
 *
 * @module
 */
import { getSample, type GetSampleStats } from "../lib/query/mod.ts";
import { type CliContext, parseCommand, withStore } from "./_context.ts";
import { openDataset } from "./_dataset.ts";
import { decodeSchemaless, renderValue } from "./_render.ts";

const help = `usage: deno task cli get <dataset> <key> [--cache DIR] [--store URL] [S3 flags]

Finds the sample through <dataset>/_keys/index.json (per shard: key range and bloom filter;
built on the first lookup, extended for new shards) and reads it with one ranged GET.`;

/** Runs `get`. */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  const parsed = parseCommand(args, ctx, {
    name: "get",
    help,
    options: { cache: { type: "string" } },
    positionals: 2,
    needs: "a dataset and a key",
  });
  if (!parsed) return 0;
  const { values, positionals: [location = "", key = ""] } = parsed;
  const { store, dataset } = await openDataset(ctx, location, values);
  return await withStore(store, async () => {
    let stats: GetSampleStats | undefined;
    const sample = await getSample(store, dataset, key, {
      cacheDir: values.cache,
      onStats: (s) => (stats = s),
    });
    ctx.out(JSON.stringify({
      __key__: sample.__key__,
      __shard__: stats?.location?.shard,
      __offset__: sample.offset,
      __size__: sample.size,
      ...(renderValue(decodeSchemaless(sample)) as object),
    }));
    return 0;
  });
}
