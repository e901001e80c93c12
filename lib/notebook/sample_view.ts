/**
 * {@linkcode previewSamples}: the first samples of a stream as a table for Jupyter: image bytes
 * as inline images, ndarrays as dtype, shape and a preview, text as text. Also renders a single
 * {@linkcode NDArray} (registered as kind `"ndarray"`).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { type DisplayBundle, JUPYTER_DISPLAY, registerRenderer } from "../display/mod.ts";
import { isNDArray, type NDArray } from "../schema/mod.ts";
import { bytes, esc, num, section, table } from "./_html.ts";

/** Options for {@linkcode previewSamples}. */
export interface PreviewSamplesOptions {
  /** Samples shown (the stream is not read further). @default 10 */
  limit?: number;
  /** Largest image shown inline, in bytes (bigger ones show their size). @default 1_000_000 */
  maxImageBytes?: number;
  /** Height of inline images in CSS pixels. @default 64 */
  imageHeight?: number;
}

/** Image formats recognized by their first bytes (a table, not a switch). */
const IMAGE_MAGIC: [string, number[]][] = [
  ["image/png", [0x89, 0x50, 0x4e, 0x47]],
  ["image/jpeg", [0xff, 0xd8, 0xff]],
  ["image/gif", [0x47, 0x49, 0x46, 0x38]],
  ["image/webp", [0x52, 0x49, 0x46, 0x46]],
];

/** The image MIME type of some bytes, or undefined. */
export function imageType(b: Uint8Array): string | undefined {
  return IMAGE_MAGIC.find(([, magic]) => magic.every((x, i) => b[i] === x))?.[0];
}

/** An ndarray as `float32[2,3] [0.1, 0.2, ...]` (at most 8 values). */
export function describeArray(a: NDArray): string {
  const values = Array.from(a.data.subarray(0, 8) as ArrayLike<number | bigint>, (v) => num(v));
  const more = a.data.length > 8 ? ", ..." : "";
  return `${a.dtype}[${a.shape.join(",")}] [${values.join(", ")}${more}]`;
}

interface CellOptions {
  maxImageBytes: number;
  imageHeight: number;
}

function cellHtml(v: unknown, o: CellOptions): string {
  if (v === null || v === undefined) return "<i>null</i>";
  if (v instanceof Uint8Array) {
    const type = imageType(v);
    if (type && v.length <= o.maxImageBytes) {
      return `<img src="data:${type};base64,${Buffer.from(v).toString("base64")}" ` +
        `style="height:${o.imageHeight}px;image-rendering:pixelated" alt="${type}">`;
    }
    return esc(`${type ?? "bytes"} (${bytes(v.length)})`);
  }
  if (isNDArray(v)) return `<code>${esc(describeArray(v as NDArray))}</code>`;
  if (v instanceof Date) return esc(v.toISOString());
  if (typeof v === "number" || typeof v === "bigint") return num(v);
  if (typeof v === "string") return esc(v.length > 200 ? v.slice(0, 200) + "..." : v);
  if (Array.isArray(v)) return v.map((x) => cellHtml(x, o)).join(", ");
  if (typeof v === "object") {
    // A raw tar sample's files, by extension.
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${esc(k)}: ${cellHtml(x, o)}`).join("<br>");
  }
  return esc(v);
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (v instanceof Uint8Array) return `${imageType(v) ?? "bytes"} (${bytes(v.length)})`;
  if (isNDArray(v)) return describeArray(v as NDArray);
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return `[${v.map(cellText).join(", ")}]`;
  if (typeof v === "object") {
    return `{${Object.entries(v as object).map(([k, x]) => `${k}: ${cellText(x)}`).join(", ")}}`;
  }
  return String(v);
}

/** The first samples of a stream, rendered as a table in Jupyter. */
export class SamplePreview {
  /** The samples read (at most the limit). */
  readonly samples: Record<string, unknown>[];
  /** True when the stream had more samples than shown. */
  readonly truncated: boolean;
  readonly #options: CellOptions;

  constructor(samples: Record<string, unknown>[], truncated: boolean, options: CellOptions) {
    this.samples = samples;
    this.truncated = truncated;
    this.#options = options;
  }

  /** Jupyter rendering: one row per sample, one column per field. */
  [JUPYTER_DISPLAY](): DisplayBundle {
    const cols = [...new Set(this.samples.flatMap((s) => Object.keys(s)))];
    const rows = this.samples.map((s) => cols.map((c) => cellHtml(s[c], this.#options)));
    const title = `${this.samples.length}${this.truncated ? "+" : ""} samples`;
    const text = this.samples.map((s) => cols.map((c) => `${c}=${cellText(s[c])}`).join("  "));
    return {
      "text/html": section(title, table(cols, rows)),
      "text/plain": [title, ...text].join("\n"),
    };
  }
}

/**
 * Reads the first samples of a stream (decoded samples, or raw tar samples) for display.
 *
 * @example
 * ```ts
 * import { previewSamples } from "./sample_view.ts";
 * import { NDArray } from "../schema/mod.ts";
 * import { JUPYTER_DISPLAY } from "../display/mod.ts";
 * const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10]);
 * const preview = await previewSamples([
 *   { __key__: "a", image: png, label: "cat", emb: NDArray.from([1, 2, 3], { dtype: "float32" }) },
 * ]);
 * const html = preview[JUPYTER_DISPLAY]()["text/html"]!;
 * if (!html.includes('src="data:image/png;base64,') || !html.includes("f4[3] [1, 2, 3]")) throw new Error(html);
 * ```
 */
export async function previewSamples(
  samples: Iterable<object> | AsyncIterable<object>,
  options: PreviewSamplesOptions = {},
): Promise<SamplePreview> {
  const limit = options.limit ?? 10;
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new TypeError(`previewSamples: "limit" must be an integer >= 0, got ${String(limit)}`);
  }
  const out: Record<string, unknown>[] = [];
  let truncated = false;
  for await (const s of samples) {
    if (out.length === limit) {
      truncated = true;
      break;
    }
    out.push(s as Record<string, unknown>);
  }
  return new SamplePreview(out, truncated, {
    maxImageBytes: options.maxImageBytes ?? 1_000_000,
    imageHeight: options.imageHeight ?? 64,
  });
}

/**
 * Renders one ndarray: dtype, shape and its first values.
 *
 * @example
 * ```ts
 * import { renderNDArray } from "./sample_view.ts";
 * import { NDArray } from "../schema/mod.ts";
 * const b = renderNDArray(NDArray.from([1, 2], { dtype: "int32" }));
 * if (b["text/plain"] !== "<i4[2] [1, 2]") throw new Error(b["text/plain"]);
 * ```
 */
export function renderNDArray(a: NDArray): DisplayBundle {
  const text = describeArray(a);
  return { "text/html": `<code>${esc(text)}</code>`, "text/plain": text };
}

registerRenderer("ndarray", renderNDArray);
