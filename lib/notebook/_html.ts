/**
 * Small HTML helpers shared by the notebook renderers: escaping, number and byte formatting,
 * tables, and an inline bar chart for one field's counts.
 *
 * @module
 */

/** Escapes text for HTML content and attribute values. */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A number for people: integers grouped, others to 4 significant digits; `-` for null. */
export function num(x: number | bigint | null | undefined): string {
  if (x === null || x === undefined) return "-";
  if (typeof x === "bigint") return x.toLocaleString("en-US");
  if (Number.isInteger(x)) return x.toLocaleString("en-US");
  return Number(x.toPrecision(4)).toString();
}

/** Bytes as `512 B`, `1.2 kB`, `3.4 MB`. */
export function bytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

/** A table: header cells (text) and rows of HTML cells (already escaped). */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const head = headers.map((h) => `<th style="text-align:left">${esc(h)}</th>`).join("");
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("");
  return `<table class="shardline"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** A titled block: a bold heading line, then HTML. */
export function section(title: string, html: string): string {
  return `<div class="shardline"><div><b>${esc(title)}</b></div>${html}</div>`;
}

/** An inline SVG bar chart of counts (one bar per count, heights relative to the largest). */
export function miniBars(counts: readonly number[], width = 120, height = 24): string {
  const max = Math.max(0, ...counts);
  const w = counts.length ? width / counts.length : width;
  const bars = counts.map((c, i) => {
    const h = max ? (c / max) * height : 0;
    return `<rect x="${(i * w).toFixed(2)}" y="${(height - h).toFixed(2)}" ` +
      `width="${Math.max(0.5, w - 1).toFixed(2)}" height="${h.toFixed(2)}" fill="steelblue"/>`;
  }).join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}">${bars}</svg>`;
}

/** A progress bar as HTML (a `<progress>` element and a caption). */
export function progressHtml(done: number, total: number, caption: string): string {
  return `<div class="shardline"><progress value="${done}" max="${Math.max(total, 1)}" ` +
    `style="width:24em"></progress> <span>${esc(caption)}</span></div>`;
}
