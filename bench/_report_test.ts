/** The README's benchmark tables: rendered per benchmark, written between the markers. */
import assert from "node:assert/strict";
import { END_MARKER, renderTables, replaceBetweenMarkers, START_MARKER } from "./_report.ts";

const readme = (body: string) =>
  `# x\n\n## Benchmarks\n\n${START_MARKER}\n${body}\n${END_MARKER}\n\n## Layout\n`;

Deno.test("renderTables writes one table per benchmark: measure, peer, ratio, date", () => {
  const md = renderTables([
    { bench: "bench/a.ts", measure: "read, 1 KiB", peer: "tar-stream", ratio: 3.14159 },
    { bench: "bench/b.ts", measure: "encode", peer: "zod", ratio: 0.5 },
    { bench: "bench/a.ts", measure: "write, 1 KiB", peer: "tar-stream", ratio: 10 },
  ], "2026-12-07");
  assert.equal(
    md,
    [
      "`bench/a.ts`",
      "",
      "| measure | peer | ratio | date |",
      "| ------- | ---- | ----- | ---- |",
      "| read, 1 KiB | tar-stream | 3.14x | 2026-12-07 |",
      "| write, 1 KiB | tar-stream | 10.00x | 2026-12-07 |",
      "",
      "`bench/b.ts`",
      "",
      "| measure | peer | ratio | date |",
      "| ------- | ---- | ----- | ---- |",
      "| encode | zod | 0.50x | 2026-12-07 |",
    ].join("\n"),
  );
});

Deno.test("replaceBetweenMarkers replaces a rerun benchmark's table and keeps the others", () => {
  const first = renderTables([
    { bench: "bench/a.ts", measure: "read", peer: "p", ratio: 1 },
    { bench: "bench/b.ts", measure: "encode", peer: "q", ratio: 2 },
  ], "2026-12-01");
  const once = replaceBetweenMarkers(readme(""), first);
  assert.ok(once.startsWith("# x\n\n## Benchmarks\n\n"));
  assert.ok(once.endsWith(`${END_MARKER}\n\n## Layout\n`));
  const rerun = renderTables(
    [{ bench: "bench/b.ts", measure: "encode", peer: "q", ratio: 4 }],
    "2026-12-07",
  );
  const twice = replaceBetweenMarkers(once, rerun);
  assert.match(twice, /\| read \| p \| 1\.00x \| 2026-12-01 \|/);
  assert.match(twice, /\| encode \| q \| 4\.00x \| 2026-12-07 \|/);
  assert.doesNotMatch(twice, /2\.00x/);
  assert.equal(replaceBetweenMarkers(twice, rerun), twice); // idempotent
});

Deno.test("replaceBetweenMarkers refuses a README without the markers", () => {
  assert.throws(() => replaceBetweenMarkers("# x\n", "tables"), /lacks the markers/);
});
