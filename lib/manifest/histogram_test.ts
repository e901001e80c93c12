import assert from "node:assert/strict";
import {
  decimalBucket,
  type Histogram,
  HistogramAccumulator,
  mergeHistograms,
} from "./histogram.ts";
import { NO_REFERENCE, referenceHistogram } from "../../tests/_reference.ts";

Deno.test("decimalBucket puts powers of ten at the start of their bucket", () => {
  assert.deepEqual(decimalBucket(1000), [1000, 2000]);
  assert.deepEqual(decimalBucket(999.999), [900, 1000]);
  assert.deepEqual(decimalBucket(0.1), [0.1, 0.2]);
  assert.deepEqual(decimalBucket(0.3), [0.3, 0.4]);
  assert.deepEqual(decimalBucket(0.29999999999999993), [0.2, 0.3]);
  assert.deepEqual(decimalBucket(1e-5), [1e-5, 2e-5]);
});

Deno.test("decimalBucket handles zero, negatives and extremes", () => {
  assert.deepEqual(decimalBucket(0), [-1e-300, 1e-300]);
  assert.deepEqual(decimalBucket(-1), [-1, -0.9]);
  assert.deepEqual(decimalBucket(-1.5), [-2, -1]);
  assert.deepEqual(decimalBucket(Infinity), [1e308, Number.MAX_VALUE]);
  assert.deepEqual(decimalBucket(-Infinity), [-Number.MAX_VALUE, -1e308]);
  assert.deepEqual(decimalBucket(Number.MAX_VALUE), [1e308, Number.MAX_VALUE]);
});

function histogramOf(values: number[], edges?: number[]): Histogram {
  const h = new HistogramAccumulator(edges);
  for (const v of values) h.add(v);
  return h.finish();
}

Deno.test({
  name: "decimal histograms of shards add up to numpy's histogram of all values",
  ignore: NO_REFERENCE,
}, async () => {
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const shards = Array.from(
    { length: 5 },
    (_, s) => Array.from({ length: 500 }, () => (rand() - 0.3) * 10 ** (s - 2)),
  );
  const merged = mergeHistograms(shards.map((v) => histogramOf(v)));
  assert.deepEqual(merged, await referenceHistogram(shards.flat()));
  assert.equal(merged!.counts.reduce((a, b) => a + b), 2500);
});

Deno.test("a decimal histogram compresses empty runs into one zero bucket", () => {
  const h = histogramOf([1.5, 1.7, 800]);
  assert.deepEqual(h, { rule: "decimal", buckets: [1, 2, 800, 900], counts: [2, 0, 1] });
  assert.deepEqual(histogramOf([]), { rule: "decimal", buckets: [], counts: [] });
});

Deno.test("fixed histograms count values outside the edges and close the last bucket", () => {
  const h = histogramOf([-1, 0, 0.5, 0.99, 1, 2], [0, 0.5, 1]);
  assert.deepEqual(h, { rule: "fixed", buckets: [0, 0.5, 1], counts: [1, 3], below: 1, above: 1 });
  const sum = mergeHistograms([h, h]);
  assert.deepEqual(sum, {
    rule: "fixed",
    buckets: [0, 0.5, 1],
    counts: [2, 6],
    below: 2,
    above: 2,
  });
  const skewed = histogramOf([-3, -2, -1, 0.2, 5], [0, 0.5, 1]); // 3 below, 1 above
  assert.deepEqual(mergeHistograms([h, skewed]), {
    rule: "fixed",
    buckets: [0, 0.5, 1],
    counts: [2, 3],
    below: 4,
    above: 2,
  });
});

Deno.test("mergeHistograms refuses what it cannot add exactly", () => {
  assert.equal(mergeHistograms([histogramOf([1], [0, 1]), histogramOf([1], [0, 2])]), undefined);
  assert.equal(mergeHistograms([histogramOf([1], [0, 1]), histogramOf([1])]), undefined);
  const notGrid: Histogram = { rule: "decimal", buckets: [0.5, 1.5], counts: [3] };
  assert.equal(mergeHistograms([notGrid]), undefined);
  assert.throws(() => new HistogramAccumulator([1, 1]), RangeError);
});

Deno.test("HistogramAccumulator finds the decimal bucket of any value as a binary search does", () => {
  const grid: number[] = [];
  for (let e = -300; e <= 307; e++) for (let d = 1; d <= 9; d++) grid.push(Number(`${d}e${e}`));
  grid.push(1e308, Number.MAX_VALUE);
  const edges = [...grid.map((x) => -x).reverse(), ...grid];
  const search = (x: number) => {
    const c = Math.min(Number.MAX_VALUE, Math.max(-Number.MAX_VALUE, x));
    let lo = 0, hi = edges.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (edges[mid]! <= c) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const next = (x: number, up: boolean) => {
    const f = new Float64Array([x]);
    const u = new BigInt64Array(f.buffer);
    if (x === 0) return up ? 5e-324 : -5e-324;
    u[0]! += (x > 0) === up ? 1n : -1n;
    return f[0]!;
  };
  const values = [0, -0, Infinity, -Infinity, 5e-324, -5e-324, 1e-301, -1e-301];
  for (const e of edges) values.push(e, next(e, true), next(e, false));
  let seed = 3;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let i = 0; i < 20000; i++) values.push((rand() - 0.3) * 10 ** (rand() * 616 - 308));
  for (const x of values) {
    const h = new HistogramAccumulator();
    h.add(x);
    const { buckets } = h.finish();
    const i = search(x);
    assert.deepEqual(buckets, [edges[i], edges[i + 1]], `bucket of ${x}`);
  }
});
