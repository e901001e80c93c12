import assert from "node:assert/strict";
import { parseTimestamp } from "./_values.ts";

Deno.test("parseTimestamp gives new Date's time for ISO strings in and out of range", () => {
  let seed = 99;
  const rnd = (n: number) => { // mulberry32
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  const pad = (v: number, n: number) => String(v).padStart(n, "0");
  const strings = [
    "2024-02-29T00:00:00.000Z",
    "2025-02-29T00:00:00.000Z",
    "2025-02-30T00:00:00.000Z",
    "2025-04-31T12:00:00.000Z",
    "1900-02-29T00:00:00.000Z",
    "2000-02-29T00:00:00.000Z",
    "2025-01-01T24:00:00.000Z",
    "0099-12-31T23:59:59.999Z",
    "0100-01-01T00:00:00.000Z",
    "0000-01-01T00:00:00.000Z",
    "2025-00-10T00:00:00.000Z",
    "2025-01-01T00:00:00.000+", // not Z
    "2025-01-01 00:00:00.000Z",
    "2025-01-01T00:00:00Z",
    "2025-01-01T00:00:00.000000Z",
    "2025-01-01T00:00:00+00:00",
    "+012025-01-01T00:00:00.000Z",
    "2025-1a-01T00:00:00.000Z",
    "yesterday",
    "",
  ];
  for (let i = 0; i < 100_000; i++) {
    strings.push(
      `${pad(rnd(10000), 4)}-${pad(rnd(14), 2)}-${pad(rnd(33), 2)}T${pad(rnd(26), 2)}:` +
        `${pad(rnd(62), 2)}:${pad(rnd(62), 2)}.${pad(rnd(1000), 3)}Z`,
    );
  }
  for (let t = -62135596800000; t < 253402300799999; t += 86_399_999 * 37) {
    strings.push(new Date(t).toISOString());
  }
  for (const s of strings) {
    const got = parseTimestamp(s);
    assert.ok(got instanceof Date);
    assert.ok(Object.is(got.getTime(), new Date(s).getTime()), s);
  }
});
