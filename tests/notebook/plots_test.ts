/**
 * The charts are drawn from the aggregates: bar lengths read back from the SVG (through the
 * chart's own axis ticks) equal counts computed here from the generating data, independently of
 * the manifest code.
 */
import assert from "node:assert/strict";
import { parseHTML } from "linkedom";
import {
  defineSchema,
  f,
  LocalStore,
  plotCounts,
  PlotError,
  plotHistogram,
  plotShardSpread,
  writeShards,
} from "../../mod.ts";
import { seededRandom } from "../../examples/image_schema.ts";

const EDGES = [0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1];
const Sample = defineSchema({
  name: "PlotSample",
  version: "1.0.0",
  fields: {
    score: f.float({ manifest: { role: "numeric", buckets: EDGES } }),
    label: f.str(),
  },
});
const LABELS = ["cat", "dog", "bird", "fish"];

interface Element {
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): Element[];
  textContent: string | null;
}

function parseSvg(svg: string): Element {
  const { document } = parseHTML(`<html><body>${svg}</body></html>`) as unknown as {
    document: Element;
  };
  return document;
}

/** Pixels per unit of an axis, from two of its tick labels (`translate(x,y)` + text). */
function pixelsPerUnit(doc: Element, axis: "x" | "y"): number {
  const ticks = Array.from(
    doc.querySelectorAll(`g[aria-label="${axis}-axis tick label"] text`),
    (t) => {
      const m = /translate\(([-\d.e]+),([-\d.e]+)\)/.exec(t.getAttribute("transform") ?? "")!;
      return {
        at: Number(m[axis === "x" ? 1 : 2]),
        value: Number(t.textContent!.replace(/,/g, "")),
      };
    },
  );
  assert.ok(ticks.length >= 2, `${axis} axis has tick labels`);
  const a = ticks[0]!;
  const b = ticks.at(-1)!;
  return Math.abs((b.at - a.at) / (b.value - a.value));
}

function rects(doc: Element): { x: number; y: number; width: number; height: number }[] {
  return Array.from(
    doc.querySelectorAll('g[aria-label="rect"] rect, g[aria-label="bar"] rect'),
    (r) => ({
      x: Number(r.getAttribute("x")),
      y: Number(r.getAttribute("y")),
      width: Number(r.getAttribute("width")),
      height: Number(r.getAttribute("height")),
    }),
  );
}

async function withDataset(
  fn: (store: LocalStore, values: number[], labels: string[]) => Promise<void>,
) {
  const dir = await Deno.makeTempDir({ prefix: "shardline-plots-" });
  try {
    const store = new LocalStore(dir);
    const random = seededRandom(42);
    const values: number[] = [];
    const labels: string[] = [];
    const samples = Array.from({ length: 900 }, (_, i) => {
      const score = random();
      const label = LABELS[Math.floor(random() ** 2 * LABELS.length)]!;
      values.push(score);
      labels.push(label);
      return { __key__: `s${String(i).padStart(4, "0")}`, score, label };
    });
    await writeShards(store, "ds/shard-%06d.tar", samples, { schema: Sample, maxcount: 200 });
    await fn(store, values, labels);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("plotHistogram bar heights equal the dataset's bucket counts", async () => {
  await withDataset(async (store, values) => {
    // Expected: count the generating values per bucket (edges are multiples of 1/8: exact).
    const expected = EDGES.slice(1).map(() => 0);
    for (const v of values) expected[Math.min(expected.length - 1, Math.floor(v * 8))]!++;
    const chart = await plotHistogram(store, "ds", "score");
    const doc = parseSvg(chart.svg);
    const k = pixelsPerUnit(doc, "y");
    const bars = rects(doc).sort((a, b) => a.x - b.x);
    assert.equal(bars.length, expected.length);
    const counts = bars.map((b) => Math.round((b.height / k) * 1000) / 1000);
    assert.deepEqual(counts, expected);
    assert.equal(expected.reduce((a, b) => a + b), 900);
  });
});

Deno.test("plotCounts bar lengths equal the dataset's value counts", async () => {
  await withDataset(async (store, _values, labels) => {
    const expected = new Map<string, number>();
    for (const l of labels) expected.set(l, (expected.get(l) ?? 0) + 1);
    const chart = await plotCounts(store, "ds", "label");
    const doc = parseSvg(chart.svg);
    const k = pixelsPerUnit(doc, "x");
    const bars = rects(doc).sort((a, b) => a.y - b.y); // most frequent first, top to bottom
    const want = [...expected.values()].sort((a, b) => b - a);
    assert.deepEqual(bars.map((b) => Math.round((b.width / k) * 1000) / 1000), want);
  });
});

Deno.test("a chart saves as PNG of its size", async () => {
  await withDataset(async (store) => {
    const chart = await plotShardSpread(store, "ds", "score", { width: 320, height: 200 });
    const png = chart.toPNG({ scale: 2 });
    assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    const view = new DataView(png.buffer, png.byteOffset);
    assert.equal(view.getUint32(16), 640); // IHDR width
    assert.equal(view.getUint32(20), 400);
  });
});

Deno.test("plotting a field the dataset lacks names the fields it has", async () => {
  await withDataset(async (store) => {
    await assert.rejects(plotHistogram(store, "ds", "scroe"), (err: unknown) => {
      assert.ok(err instanceof PlotError);
      assert.equal(err.code, "unknown_field");
      assert.match(err.message, /"scroe".*numeric fields: score/);
      return true;
    });
    await assert.rejects(plotHistogram(store, "ds", "label"), { code: "wrong_aggregate" });
    await assert.rejects(plotCounts(store, "ds", "score"), { code: "wrong_aggregate" });
  });
});
