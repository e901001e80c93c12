/**
 * Tolerant readers for stored JSON: atdata's Python `json.dumps` writes bare `Infinity`, `-Infinity`
 * and `NaN`, which `JSON.parse` refuses; numbers may be missing in older manifests.
 *
 * @module
 */

/**
 * Parses JSON that may hold bare `Infinity` / `-Infinity` (read as ±Infinity) and `NaN` (read as
 * null) outside strings.
 *
 * @example
 * ```ts
 * import { parseLenientJson } from "./lenient_json.ts";
 * const v = parseLenientJson('{"min": Infinity, "max": -Infinity, "s": "Infinity", "m": NaN}');
 * if (JSON.stringify(v) !== '{"min":null,"max":null,"s":"Infinity","m":null}') throw new Error();
 * ```
 */
export function parseLenientJson(text: string): unknown {
  if (!/Infinity|NaN/.test(text)) return JSON.parse(text);
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (text.startsWith("Infinity", i)) {
      out += "1e999";
      i += 8;
    } else if (text.startsWith("NaN", i)) {
      out += "null";
      i += 3;
    } else {
      out += c;
      i++;
    }
  }
  return JSON.parse(out);
}

/** A finite number at `raw[key]`, else `fallback`. */
export function finiteOr<T>(raw: Record<string, unknown>, key: string, fallback: T): number | T {
  const v = raw[key];
  return typeof v === "number" && Number.isFinite(v) ? v : fallback;
}

/** A non-negative integer count at `raw[key]`, else `fallback`. */
export function countOr(raw: Record<string, unknown>, key: string, fallback: number): number {
  const v = raw[key];
  return typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : fallback;
}

/** A plain object at `raw[key]`, else `{}`. */
export function objectAt(raw: Record<string, unknown>, key: string): Record<string, unknown> {
  const v = raw[key];
  return v !== null && typeof v === "object" && !Array.isArray(v)
    ? v as Record<string, unknown>
    : {};
}
