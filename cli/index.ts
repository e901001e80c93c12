/**
 * `deno task cli index <rebuild|compact|show|stats> <dataset>`: the dataset index.
 *
 * - `rebuild`: rebuild the index from the shard manifests (a new compacted generation).
 * - `compact`: fold the index fragments into a new compacted generation.
 * - `show`: one line per indexed shard (`--json`: one JSON object per shard header, with the
 *   shard's `name` in the dataset and its store key `shard`).
 * - `stats`: dataset statistics summed from the index, as JSON.
 *
 * @module
 */
import { compactIndex, datasetStats, readIndex, rebuildIndex } from "../lib/dataset/mod.ts";
import type { CliContext } from "./_context.ts";
import { parseCommand, withStore } from "./_context.ts";
import { openDataset } from "./_dataset.ts";

const help =
  `usage: deno task cli index <rebuild|compact|show|stats> <dataset> [--json] [--store URL] [S3 flags]

  rebuild   rebuild <dataset>/_index from the shards' .manifest.json files
  compact   fold the index fragments of newly committed shards into one file
  show      list the indexed shards (--json: full headers, one per line)
  stats     dataset statistics (value counts, histograms, bounds) from the index, as JSON

<dataset> is a folder (./data/ds), file:// or s3://bucket/ds URL.`;

/** Runs `index`. */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  const parsed = parseCommand(args, ctx, {
    name: "index",
    help,
    options: { json: { type: "boolean" } },
    positionals: 2,
    needs: "an action and a dataset",
    valid: ({ positionals: [action] }) => ["rebuild", "compact", "show", "stats"].includes(action!),
  });
  if (!parsed) return 0;
  const { values, positionals: [action, location = ""] } = parsed;
  const { store, dataset } = await openDataset(ctx, location, values);
  return await withStore(store, async () => {
    if (action === "rebuild" || action === "compact") {
      const r = action === "rebuild"
        ? await rebuildIndex(store, dataset)
        : await compactIndex(store, dataset);
      if (values.json) ctx.out(JSON.stringify(r));
      else if (r.written) {
        ctx.out(
          `index of "${dataset}": generation ${r.generation}, ${r.shards} shards, ${r.fragmentsRemoved} fragments folded in`,
        );
      } else ctx.out(`index of "${dataset}": unchanged (generation ${r.generation})`);
    } else if (action === "show") {
      const index = await readIndex(store, dataset);
      for (const { name, shard, header } of index.entries) {
        if (values.json) ctx.out(JSON.stringify({ name, shard, ...header }));
        else {
          const time = header.time_min ? `  ${header.time_min} .. ${header.time_max}` : "";
          ctx.out(
            `${String(header.num_samples).padStart(9)} ${
              String(header.size_bytes).padStart(13)
            }  ${shard}${time}`,
          );
        }
      }
      const samples = index.entries.reduce((a, e) => a + e.header.num_samples, 0);
      ctx.err(
        `${index.entries.length} shards, ${samples} samples (generation ${index.generation} + ${index.fragments} fragments)`,
      );
    } else {
      ctx.out(JSON.stringify(await datasetStats(store, dataset), null, 2));
    }
    return 0;
  });
}
