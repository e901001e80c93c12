/**
 * Regenerates the README's pictures from an executed notebook (`deno task nb-images`): runs
 * `notebooks/01-quickstart.ipynb` headlessly (a temporary store), then saves from its outputs
 * the confidence histogram as PNG (`@resvg/resvg-js`, through `Chart`) and the dataset
 * statistics table as PNG (headless Chromium screenshot of that output's HTML), to `docs/`.
 *
 * Needs what `deno task setup --test` installs, plus Debian's `chromium` for the table.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Chart } from "../mod.ts";
import { runNotebooks } from "./run_notebooks.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const docs = join(root, "docs");
const tmp = await Deno.makeTempDir({ prefix: "shardline-nb-images-" });
try {
  const notebook = join(root, "notebooks", "01-quickstart.ipynb");
  const run = await runNotebooks([
    "--output-dir",
    tmp,
    "-p",
    `STORE=${JSON.stringify(join(tmp, "store"))}`,
    "-p",
    "KEEP_ALIVE_MS=0",
    notebook,
  ]);
  if (run.code !== 0) throw new Error(`notebook failed:\n${run.stderr}`);
  type Cell = {
    source: string[] | string;
    outputs?: { data?: Record<string, string[] | string> }[];
  };
  const cells = (JSON.parse(await Deno.readTextFile(join(tmp, "01-quickstart.ipynb"))) as {
    cells: Cell[];
  }).cells;
  const text = (s: string[] | string | undefined) => Array.isArray(s) ? s.join("") : s ?? "";
  const output = (source: string, mime: string): string => {
    const cell = cells.find((c) => text(c.source).includes(source));
    const data = cell?.outputs?.find((o) => o.data?.[mime])?.data?.[mime];
    if (!data) throw new Error(`no ${mime} output from the cell with ${source}`);
    return text(data);
  };
  await Deno.mkdir(docs, { recursive: true });

  const svg = output(`plotHistogram(store, "raw/images", "confidence")`, "image/svg+xml");
  await Deno.writeFile(join(docs, "notebook-histogram.png"), new Chart("", svg).toPNG());

  const table = output(`datasetStats(store, results.output)`, "text/html");
  const page = join(tmp, "table.html");
  await Deno.writeTextFile(
    page,
    `<!doctype html><meta charset="utf-8"><style>body{font:13px system-ui,sans-serif;margin:12px}` +
      `table{border-collapse:collapse}td,th{padding:3px 8px;border-bottom:1px solid #ddd;` +
      `vertical-align:top}</style>${table}`,
  );
  const shot = await new Deno.Command("chromium", {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--hide-scrollbars",
      "--window-size=820,380",
      `--screenshot=${join(docs, "notebook-stats.png")}`,
      `file://${page}`,
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!shot.success) throw new Error(new TextDecoder().decode(shot.stderr));
  console.log(`wrote docs/notebook-histogram.png and docs/notebook-stats.png`);
} finally {
  await Deno.remove(tmp, { recursive: true });
}
