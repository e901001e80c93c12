/**
 * Executes every notebook in `notebooks/` headlessly with the Deno kernel (through
 * `scripts/run_notebooks.ts`: Debian's nbclient, a project-local kernelspec), each against its
 * own temporary store, and checks what they output: the runner fails on a cell error or on a
 * cell missing an output its metadata expects (HTML tables, SVG plots, in-place updates); this
 * test also reads the executed quickstart to check the tables, the plot and that the job's
 * progress is one output, replaced in place until it shows the completed job.
 */
import assert from "node:assert/strict";
import { basename, join } from "node:path";
import { listNotebooks, runNotebooks } from "../scripts/run_notebooks.ts";

interface Output {
  output_type: string;
  data?: Record<string, string | string[]>;
}
interface Cell {
  cell_type: string;
  source: string | string[];
  metadata: { shardline?: { updates?: boolean } };
  outputs?: Output[];
}
interface CellReport {
  index: number;
  mimes: string[];
  updates: number;
  outputs: number;
}

const text = (s: string | string[] | undefined) => Array.isArray(s) ? s.join("") : s ?? "";

for (const notebook of await listNotebooks()) {
  Deno.test({
    name: `notebook ${basename(notebook)} runs top to bottom with the Deno kernel`,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      const dir = await Deno.makeTempDir({ prefix: "shardline-nb-" });
      // Its own store, and workers that stop when the job is done (no process outlives the
      // test), where the notebook has those parameters.
      const source = JSON.parse(await Deno.readTextFile(notebook)) as { cells: Cell[] };
      const declared = text(source.cells.find((c) => c.cell_type === "code")!.source);
      const params = Object.entries({
        STORE: JSON.stringify(join(dir, "store")),
        KEEP_ALIVE_MS: "0",
      }).filter(([name]) => declared.includes(`const ${name} =`))
        .flatMap(([name, value]) => ["-p", `${name}=${value}`]);
      try {
        const { code, stderr } = await runNotebooks([
          "--output-dir",
          join(dir, "out"),
          "--report",
          join(dir, "report.json"),
          ...params,
          notebook,
        ]);
        assert.equal(code, 0, `nbrun failed:\n${stderr}`);
        const [report] = JSON.parse(await Deno.readTextFile(join(dir, "report.json"))) as {
          cells: CellReport[];
        }[];
        const executed = JSON.parse(
          await Deno.readTextFile(join(dir, "out", basename(notebook))),
        ) as { cells: Cell[] };
        const outputs = executed.cells.flatMap((c) => c.outputs ?? []);
        assert.ok(outputs.some((o) => text(o.data?.["text/html"]).includes("<table")), "a table");
        if (!basename(notebook).startsWith("01-")) return;
        assert.ok(outputs.some((o) => text(o.data?.["image/svg+xml"]).includes("<rect")), "a plot");
        // The awaiting cell: one progress output, updated in place to the final state.
        const index = executed.cells.findIndex((c) => c.metadata.shardline?.updates);
        const cell = executed.cells[index]!;
        const displays = cell.outputs!.filter((o) => o.output_type === "display_data");
        assert.equal(displays.length, 1, "one progress output");
        assert.match(text(displays[0]!.data!["text/plain"]), /completed/);
        assert.match(text(displays[0]!.data!["text/html"]), /<progress value="4" max="4"/);
        assert.ok(report!.cells.find((c) => c.index === index)!.updates >= 1, "updated in place");
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
