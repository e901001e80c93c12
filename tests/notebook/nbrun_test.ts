/**
 * The notebook runner fails where CI must: a cell whose syntax error the kernel reports only as
 * "Execution failed" (the runner names the cell, shows its source and deno check's message), and
 * a cell that lacks an output its metadata expects.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runNotebooks } from "../../scripts/run_notebooks.ts";

function notebook(cells: { source: string; expect?: string[] }[]): string {
  return JSON.stringify({
    cells: cells.map((c, i) => ({
      cell_type: "code",
      id: `c${i}`,
      execution_count: null,
      metadata: c.expect ? { shardline: { expect: c.expect } } : {},
      outputs: [],
      source: c.source,
    })),
    metadata: { kernelspec: { name: "deno", display_name: "Deno", language: "typescript" } },
    nbformat: 4,
    nbformat_minor: 5,
  });
}

Deno.test({
  name: "nbrun names a failing cell and a missing expected output",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "shardline-nbrun-" });
    try {
      const syntax = join(dir, "syntax.ipynb");
      await Deno.writeTextFile(
        syntax,
        notebook([{ source: "const A = 1;" }, { source: "const x = {;\nx" }]),
      );
      const missing = join(dir, "missing.ipynb");
      await Deno.writeTextFile(
        missing,
        notebook([{ source: "const B = 2;" }, { source: "B + 1", expect: ["image/svg+xml"] }]),
      );
      const bad = await runNotebooks([syntax]);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /cell 1:\nconst x = \{;/);
      assert.match(bad.stderr, /Execution failed/);
      assert.match(bad.stderr, /deno check of the cell alone:[\s\S]*Unexpected token/);
      const lacking = await runNotebooks([missing]);
      assert.equal(lacking.code, 1);
      assert.match(
        lacking.stderr,
        /cell 1 lacks expected output image\/svg\+xml \(has text\/plain\)/,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
