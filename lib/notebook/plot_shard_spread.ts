/**
 * {@linkcode plotShardSpread}: how a numeric field spreads across shards (min to max as a
 * rule, the mean as a dot, per shard), from the shard aggregates in the dataset index.
 *
 * @module
 */
import { checkName, checkStore } from "../util/mod.ts";
import * as Plot from "@observablehq/plot";
import { readIndex } from "../dataset/mod.ts";
import type { Store } from "../store/mod.ts";
import { type Chart, type ChartOptions, renderPlot } from "./chart.ts";
import { PlotError } from "./plot_error.ts";

/** One shard's spread of a numeric field. */
export interface ShardSpread {
  /** The shard's name in the dataset (`shard-000003.tar`). */
  shard: string;
  min: number;
  max: number;
  mean: number;
  count: number;
}

/**
 * The per-shard min, max and mean of a numeric field (shards without values are left out).
 *
 * @example
 * ```ts
 * import { shardSpread } from "./plot_shard_spread.ts";
 * import { writeShards } from "../dataset/mod.ts";
 * import { defineSchema, f } from "../schema/mod.ts";
 * import { MemoryStore } from "../store/mod.ts";
 * const S = defineSchema({ name: "S", version: "1.0.0", fields: { score: f.float() } });
 * const store = new MemoryStore();
 * const samples = [1, 3, 10, 20].map((score, i) => ({ __key__: `k${i}`, score }));
 * await writeShards(store, "ds/shard-%06d.tar", samples, { schema: S, maxcount: 2 });
 * const spread = await shardSpread(store, "ds", "score");
 * if (spread[1]?.mean !== 15 || spread[0]?.max !== 3) throw new Error(JSON.stringify(spread));
 * ```
 */
export async function shardSpread(
  store: Store,
  dataset: string,
  field: string,
): Promise<ShardSpread[]> {
  checkStore(store, "shardSpread");
  checkName(dataset, "shardSpread", "dataset");
  checkName(field, "shardSpread", "field");
  const { entries } = await readIndex(store, dataset);
  const out: ShardSpread[] = [];
  const kinds = new Set<string>();
  for (const { name, header } of entries) {
    const agg = header.aggregates[field];
    if (agg) kinds.add(agg.type);
    if (agg?.type !== "numeric" || agg.min === null || agg.max === null || agg.mean === null) {
      continue;
    }
    out.push({ shard: name, min: agg.min, max: agg.max, mean: agg.mean, count: agg.count });
  }
  if (out.length === 0) {
    const numeric = new Set(
      entries.flatMap((e) =>
        Object.entries(e.header.aggregates).filter(([, a]) => a.type === "numeric").map(([n]) => n)
      ),
    );
    const list = numeric.size ? [...numeric].join(", ") : "none";
    const [code, what] = kinds.size && !kinds.has("numeric")
      ? ["wrong_aggregate", `is ${[...kinds].join("/")}, not numeric`] as const
      : kinds.size
      ? ["no_data", "has no values"] as const
      : ["unknown_field", "is not a manifest field"] as const;
    throw new PlotError(
      code,
      `Field "${field}" of "${dataset}" ${what} (its numeric fields: ${list})`,
      { dataset, field },
    );
  }
  return out;
}

/**
 * Draws a numeric field's spread per shard: a rule from min to max and a dot at the mean.
 *
 * @example
 * ```ts
 * import { plotShardSpread } from "./plot_shard_spread.ts";
 * import { writeShards } from "../dataset/mod.ts";
 * import { defineSchema, f } from "../schema/mod.ts";
 * import { MemoryStore } from "../store/mod.ts";
 * const S = defineSchema({ name: "S", version: "1.0.0", fields: { score: f.float() } });
 * const store = new MemoryStore();
 * const samples = [1, 3, 10, 20].map((score, i) => ({ __key__: `k${i}`, score }));
 * await writeShards(store, "ds/shard-%06d.tar", samples, { schema: S, maxcount: 2 });
 * const chart = await plotShardSpread(store, "ds", "score");
 * if (!chart.svg.includes("<circle")) throw new Error("no mean dots");
 * ```
 */
export async function plotShardSpread(
  store: Store,
  dataset: string,
  field: string,
  options: ChartOptions = {},
): Promise<Chart> {
  checkStore(store, "plotShardSpread");
  checkName(dataset, "plotShardSpread", "dataset");
  checkName(field, "plotShardSpread", "field");
  const spread = await shardSpread(store, dataset, field);
  const data = spread.map((s, i) => ({ ...s, i }));
  return renderPlot(`${dataset}: ${field} per shard (min, mean, max)`, {
    width: options.width ?? 640,
    height: options.height ?? 400,
    x: { label: "shard", tickFormat: (i: number) => data[i]?.shard.replace(/\.tar$/, "") ?? "" },
    y: { label: field, grid: true },
    marks: [
      Plot.ruleX(data, { x: "i", y1: "min", y2: "max", stroke: "steelblue", strokeWidth: 2 }),
      Plot.dot(data, { x: "i", y: "mean", fill: "darkorange", r: 3 }),
    ],
  });
}
