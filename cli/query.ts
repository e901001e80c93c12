/**
 * `deno task cli query <dataset> [--where EXPR] [--select a,b] [--order-by "f DESC"]
 * [--limit N] [--format table|json|csv|parquet] [--out FILE] [--explain]`: a dataset's
 * manifests queried into rows (shards pruned from the index first).
 *
 * @module
 */
import { formatExplain, query } from "../lib/query/mod.ts";
import { type CliContext, parseCommand, UsageError, withStore } from "./_context.ts";
import { openDataset } from "./_dataset.ts";
import { flatFrame, frameRows } from "./_frame.ts";

const help =
  `usage: deno task cli query <dataset> [--where EXPR] [--select a,b] [--order-by "f DESC"]
                           [--limit N] [--format table|json|csv|parquet] [--out FILE]
                           [--explain] [--cache DIR] [--store URL] [S3 flags]

  --where     a SQL boolean expression over manifest fields, e.g.
              "label = 'dog' AND confidence > 0.9 AND list_contains(tags, 'outdoor')"
  --format    table (default), json (one object per line: __key__, __shard__, __offset__,
              __size__ and the fields), csv, parquet (needs --out)
  --explain   what the query did (shards pruned per rule, scanned, time per phase) on stderr;
              as JSON with --format json`;

/** Runs `query`. */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  const parsed = parseCommand(args, ctx, {
    name: "query",
    help,
    options: {
      where: { type: "string" },
      select: { type: "string" },
      "order-by": { type: "string" },
      limit: { type: "string" },
      format: { type: "string" },
      out: { type: "string" },
      explain: { type: "boolean" },
      cache: { type: "string" },
    },
    positionals: 1,
    needs: "a dataset",
    valid: ({ values: v }) =>
      ["table", "json", "csv", "parquet", undefined].includes(v.format) &&
      (v.format !== "parquet" || v.out !== undefined) &&
      (v.limit === undefined || /^\d+$/.test(v.limit)),
  });
  if (!parsed) return 0;
  const { values, positionals: [location = ""] } = parsed;
  const { store, dataset } = await openDataset(ctx, location, values);
  return await withStore(store, async () => {
    const r = await query(store, dataset, {
      where: values.where,
      select: values.select?.split(",").map((s) => s.trim()).filter(Boolean),
      orderBy: values["order-by"],
      limit: values.limit === undefined ? undefined : Number(values.limit),
      cacheDir: values.cache,
    });
    const format = values.format ?? "table";
    if (format === "json") {
      const lines = frameRows(r.df).map((row) => JSON.stringify(row));
      if (values.out) await Deno.writeTextFile(values.out, lines.map((l) => l + "\n").join(""));
      else for (const line of lines) ctx.out(line);
    } else if (format === "csv") {
      const csv = String(flatFrame(r.df).writeCSV());
      if (values.out) await Deno.writeTextFile(values.out, csv);
      else ctx.out(csv.replace(/\n$/, ""));
    } else if (format === "parquet") {
      if (!values.out) throw new UsageError("--format parquet needs --out FILE");
      await Deno.writeFile(values.out, new Uint8Array(r.df.writeParquet()));
    } else {
      ctx.out(r.df.toString());
    }
    if (values.explain) {
      ctx.err(format === "json" ? JSON.stringify(r.explain) : formatExplain(r.explain));
    }
    return 0;
  });
}
