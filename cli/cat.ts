/**
 * `deno task cli cat <shard-or-pattern> [--json] [--schema NAME[@VERSION]] [--skip-bad]`:
 * prints every sample of one or more shards: one JSON line per sample with `__key__`,
 * `__offset__`, `__size__` and its decoded fields (ndarrays as dtype, shape and values).
 *
 * With `--schema`, samples are decoded and validated against a schema published in the store
 * (`_schemas/<name>/<version>.json`); without, members are decoded by extension.
 *
 * @module
 */
import { loadSchema } from "../lib/schema/mod.ts";
import {
  decodeSample,
  expandBraces,
  sampleError,
  scanSamples,
  type ShardError,
} from "../lib/shard/mod.ts";
import type { CliContext } from "./_context.ts";
import { parseCommand, withStore } from "./_context.ts";
import { splitLocation } from "./_location.ts";
import { decodeSchemaless, renderValue } from "./_render.ts";

const help = `usage: deno task cli cat <shard-or-pattern> [--json] [--schema NAME[@VERSION]]
                         [--skip-bad] [--store URL] [S3 flags]

Prints each sample of the shards (a brace pattern such as ./data/ds/shard-{000000..000003}.tar
names several): one JSON line per sample with --json, a short line per sample otherwise.
--skip-bad reports bad samples on stderr and goes on (exit code 1 at the end).`;

/** Runs `cat`. */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  const parsed = parseCommand(args, ctx, {
    name: "cat",
    help,
    options: {
      json: { type: "boolean" },
      schema: { type: "string" },
      "skip-bad": { type: "boolean" },
    },
    positionals: 1,
    needs: "a shard or pattern",
  });
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  let bad = 0;
  for (const location of positionals) {
    const { storeUrl, key } = splitLocation(location, values.store);
    await withStore(ctx.openStore(storeUrl, values), async (store) => {
      const schema = values.schema
        ? await loadSchema(store, ...(values.schema.split("@") as [string, string?]))
        : undefined;
      for (const shard of expandBraces(key)) {
        const onError = values["skip-bad"]
          ? (e: ShardError) => (bad++, ctx.err(`skipped: ${e.message}`))
          : "throw" as const;
        const samples = scanSamples(await store.getStream(shard), { url: shard, onError });
        for await (const sample of samples) {
          let fields: Record<string, unknown>;
          if (schema) {
            const decoded = decodeSample(schema, sample);
            if (!decoded.ok) {
              const error = sampleError(sample, decoded.issues, schema.id);
              if (onError === "throw") throw error;
              onError(error);
              continue;
            }
            const { __key__: _, ...rest } = decoded.value as Record<string, unknown>;
            fields = rest;
          } else {
            fields = decodeSchemaless(sample);
          }
          const head = {
            __key__: sample.__key__,
            __offset__: sample.offset,
            __size__: sample.size,
          };
          if (values.json) {
            ctx.out(JSON.stringify({ ...head, ...(renderValue(fields) as object) }));
          } else {
            const summary = Object.keys(fields).join(",");
            ctx.out(`${sample.__key__}\t${sample.offset}\t${sample.size}\t${summary}`);
          }
        }
      }
    });
  }
  return bad > 0 ? 1 : 0;
}
