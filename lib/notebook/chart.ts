/**
 * {@linkcode Chart}: an Observable Plot chart rendered without a browser (a `linkedom`
 * document), as a standalone SVG string; it displays inline in Jupyter and converts to PNG with
 * `@resvg/resvg-js`. {@linkcode renderPlot} makes one from Plot options.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { Resvg } from "@resvg/resvg-js";
import { parseHTML } from "linkedom";
import { type DisplayBundle, JUPYTER_DISPLAY } from "../display/mod.ts";
import { esc } from "./_html.ts";

/** The little of a DOM element that {@linkcode renderPlot} uses (Deno has no DOM types). */
interface DomElement {
  tagName: string;
  outerHTML: string;
  setAttribute(name: string, value: string): void;
  querySelector(selector: string): DomElement | null;
}

/** Size of a chart, shared by the `plot*` functions. */
export interface ChartOptions {
  /** Width in pixels. @default 640 */
  width?: number;
  /** Height in pixels. @default 400 */
  height?: number;
}

/** Options for {@linkcode Chart.toPNG}. */
export interface ToPngOptions {
  /** Pixels per SVG unit. @default 2 */
  scale?: number;
  /** Background colour. @default "white" */
  background?: string;
}

/** A rendered chart: standalone SVG text plus a title. */
export class Chart {
  /** The chart's title (shown above it in HTML, and as its text form). */
  readonly title: string;
  /** Standalone SVG (with `xmlns`), ready to save as `.svg`. */
  readonly svg: string;

  constructor(title: string, svg: string) {
    this.title = title;
    this.svg = svg;
  }

  /** The chart as PNG bytes (resvg; system fonts). */
  toPNG(options: ToPngOptions = {}): Uint8Array {
    const resvg = new Resvg(this.svg, {
      fitTo: { mode: "zoom", value: options.scale ?? 2 },
      background: options.background ?? "white",
    });
    return resvg.render().asPng();
  }

  /** Jupyter rendering: the SVG, an HTML form (HTML exports drop SVG-only outputs), a title. */
  [JUPYTER_DISPLAY](): DisplayBundle {
    return {
      "image/svg+xml": this.svg,
      "text/html": `<figure class="shardline"><figcaption><b>${esc(this.title)}</b>` +
        `</figcaption>${this.svg}</figure>`,
      "text/plain": this.title,
    };
  }

  /** The SVG text. */
  toString(): string {
    return this.svg;
  }
}

/**
 * Renders Observable Plot options (`marks`, scales, size) to a {@linkcode Chart}. The options
 * must not set a `title`, `subtitle`, `caption` or color `legend` (Plot wraps those in a
 * `<figure>`); the chart's title is given separately.
 *
 * @example
 * ```ts
 * import * as Plot from "@observablehq/plot";
 * import { renderPlot } from "./chart.ts";
 * const chart = renderPlot("Squares", { marks: [Plot.dot([[1, 1], [2, 4], [3, 9]])] });
 * if (!chart.svg.startsWith("<svg") || !chart.svg.includes('xmlns="http://www.w3.org/2000/svg"')) {
 *   throw new Error(chart.svg.slice(0, 80));
 * }
 * const png = chart.toPNG({ scale: 1 });
 * if (png[1] !== 0x50) throw new Error("not a PNG");
 * ```
 */
export function renderPlot(title: string, options: Plot.PlotOptions): Chart {
  const { document } = parseHTML("<!doctype html><html><body></body></html>") as unknown as {
    document: unknown;
  };
  const node = Plot.plot({ ...options, document } as Plot.PlotOptions) as unknown as DomElement;
  const svg = node.tagName.toLowerCase() === "svg" ? node : node.querySelector("svg");
  if (!svg) throw new Error(`Plot "${title}" did not render an <svg> element`);
  svg.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  return new Chart(title, svg.outerHTML);
}
