/**
 * Test fixtures of the query room: a seeded random dataset written with several schema
 * versions (fields added, nullable fields, NaN and infinities, overflowing categoricals, bloom
 * filters), and a seeded random generator of `where` expressions.
 *
 * @module
 */
import { defineSchema, f } from "../../lib/schema/mod.ts";
import { writeShards } from "../../lib/dataset/mod.ts";
import type { Store } from "../../lib/store/mod.ts";

/** mulberry32: a small seeded generator in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const LABELS = ["cat", "dog", "bird", "fish", "it's", "owl", "ant"];
export const TAGS = ["outdoor", "indoor", "night", "day", "blur", "sharp", "rain", "snow"];
export const CAMS = 120;
const cam = (k: number) => `c${String(k).padStart(3, "0")}`;
export const T0 = Date.parse("2025-01-01T00:00:00Z");
export const DAY = 86_400_000;

const V1 = defineSchema({
  name: "Img",
  version: "1.0.0",
  fields: {
    label: f.str(),
    score: f.float({ manifest: { role: "numeric", buckets: [0, 0.25, 0.5, 0.75, 1] } }),
    n: f.int(),
    tags: f.list(f.str()),
    t: f.timestamp(),
  },
});
const V2 = defineSchema({
  name: "Img",
  version: "2.0.0",
  fields: {
    label: f.str(),
    score: f.float(),
    n: f.int(),
    tags: f.optional(f.list(f.str())),
    t: f.optional(f.timestamp()),
    flag: f.optional(f.bool()),
    extra: f.optional(f.float()),
    level: f.optional(f.int({ manifest: "categorical" })),
    /** A wide categorical: 120 cameras, past the 64 values a segment stores as columns. */
    cam: f.optional(f.str()),
  },
});

/** Writes `shards` random shards (alternating schema versions and aggregate caps) to `dataset`. */
export async function writeRandomDataset(
  store: Store,
  dataset: string,
  seed: number,
  shards: number,
): Promise<number> {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  let total = 0;
  for (let s = 0; s < shards; s++) {
    const v2 = s % 3 !== 0;
    const size = Math.floor(r() * 25);
    // Each shard draws from a narrow part of the value space, so that pruning has work.
    const labels = LABELS.filter(() => r() < 0.4);
    if (labels.length === 0) labels.push(pick(LABELS));
    const lo = r() * 0.8;
    const width = r() < 0.5 ? 0.05 : 0.3;
    const day = Math.floor(r() * 30);
    const tags = TAGS.filter(() => r() < 0.4);
    const camBase = Math.floor(r() * CAMS);
    const samples = Array.from({ length: size }, (_, i) => {
      const x = r();
      let score = lo + r() * width;
      if (x < 0.03) score = Number.NaN;
      else if (x < 0.05) score = r() < 0.5 ? Infinity : -Infinity;
      const sample: Record<string, unknown> = {
        __key__: `s${String(s).padStart(3, "0")}-${String(i).padStart(3, "0")}`,
        label: pick(labels),
        score,
        n: Math.floor(r() * 100) - 50 + s,
        tags: tags.filter(() => r() < 0.5),
        t: new Date(T0 + day * DAY + Math.floor(r() * 3 * DAY)),
      };
      if (v2) {
        if (r() < 0.2) sample.tags = null;
        if (r() < 0.2) sample.t = null;
        sample.flag = r() < 0.2 ? null : r() < 0.5;
        sample.extra = r() < 0.5 ? null : Math.floor(r() * 10);
        sample.level = r() < 0.3 ? null : Math.floor(r() * 4);
        sample.cam = r() < 0.1 ? null : cam((camBase + Math.floor(r() * 6)) % CAMS);
      }
      return sample;
    });
    total += size;
    const caps = s % 4 === 1 ? { categoricalCap: 2, setValuesCap: 2 } : {};
    await writeShards(store, `${dataset}/shard-${String(s).padStart(6, "0")}-%02d.tar`, samples, {
      schema: v2 ? V2 : V1,
      manifest: { background: false, dataset, ...caps },
    });
  }
  return total;
}

/** A random `where` over the fixture's fields, in SQL. */
export function randomWhere(r: () => number, depth = 0): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const num = () =>
    pick([
      (r() * 1.2 - 0.1).toFixed(2),
      "0",
      "0.5",
      "1",
      "'Infinity'::DOUBLE",
      "'-Infinity'::DOUBLE",
      "'NaN'::DOUBLE",
    ]);
  const time = () =>
    `TIMESTAMP '${
      new Date(T0 + Math.floor(r() * 34 * DAY)).toISOString().slice(0, 19).replace("T", " ")
    }'`;
  const str = () => `'${pick(LABELS).replaceAll("'", "''")}'`;
  const cmp = () => pick(["=", "<>", "<", "<=", ">", ">="]);
  if (depth < 3 && r() < 0.45) {
    const k = pick(["AND", "OR", "NOT"]);
    if (k === "NOT") return `NOT (${randomWhere(r, depth + 1)})`;
    return `(${randomWhere(r, depth + 1)}) ${k} (${randomWhere(r, depth + 1)})`;
  }
  const leaf = pick([
    () => `label ${pick(["=", "<>"])} ${str()}`,
    () =>
      `label ${r() < 0.5 ? "NOT " : ""}IN (${
        [str(), str(), ...(r() < 0.2 ? ["NULL"] : [])].join(", ")
      })`,
    () => `score ${cmp()} ${num()}`,
    () => `score ${r() < 0.3 ? "NOT " : ""}BETWEEN ${num()} AND ${num()}`,
    () => `n ${cmp()} ${Math.floor(r() * 140) - 60}`,
    () => `n IN (${Math.floor(r() * 100) - 50}, ${Math.floor(r() * 100) - 50})`,
    () => `t ${cmp()} ${time()}`,
    () => `t BETWEEN ${time()} AND ${time()}`,
    () => `list_contains(tags, '${pick(TAGS)}')`,
    () =>
      `${pick(["tags", "t", "flag", "extra", "level", "score"])} IS ${r() < 0.5 ? "NOT " : ""}NULL`,
    () => `flag`,
    () => `flag = ${pick(["true", "false"])}`,
    () => `extra ${cmp()} ${Math.floor(r() * 10)}`,
    () => `level ${pick(["=", "<>"])} ${Math.floor(r() * 5)}`,
    () => `level IN (${Math.floor(r() * 5)}, NULL)`,
    () => `score ${cmp()} NULL`,
    () => `cam ${pick(["=", "<>"])} '${cam(Math.floor(r() * CAMS))}'`,
    () => `cam IN ('${cam(Math.floor(r() * CAMS))}', '${cam(Math.floor(r() * CAMS))}')`,
  ]);
  return leaf();
}
