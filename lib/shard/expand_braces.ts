/**
 * {@linkcode expandBraces}: expand WebDataset shard patterns such as
 * `name-{000000..000099}.tar` into shard names.
 *
 * @module
 */

const RANGE = /^(-?\d+)\.\.(-?\d+)(?:\.\.(-?\d+))?$/;
const CHAR_RANGE = /^([A-Za-z])\.\.([A-Za-z])(?:\.\.(-?\d+))?$/;

/** Finds the first top-level `{...}` group: [open index, close index, parts] or undefined. */
function firstGroup(pattern: string): [number, number, string[]] | undefined {
  for (let open = pattern.indexOf("{"); open >= 0; open = pattern.indexOf("{", open + 1)) {
    let depth = 0;
    let last = open + 1;
    const parts: string[] = [];
    for (let i = open; i < pattern.length; i++) {
      const c = pattern[i];
      if (c === "{") depth++;
      else if (c === "}" && --depth === 0) {
        parts.push(pattern.slice(last, i));
        return [open, i, parts];
      } else if (c === "," && depth === 1) {
        parts.push(pattern.slice(last, i));
        last = i + 1;
      }
    }
    return undefined; // unbalanced: the rest is literal
  }
  return undefined;
}

function hasLeadingZero(s: string): boolean {
  const digits = s.startsWith("-") ? s.slice(1) : s;
  return digits.length > 1 && digits.startsWith("0");
}

function numericRange(lo: string, hi: string, step: string | undefined): string[] {
  const a = Number(lo);
  const b = Number(hi);
  const by = Math.abs(Number(step ?? 1)) || 1;
  // Zero padding follows the wider bound when either bound is written with a leading zero.
  const width = hasLeadingZero(lo) || hasLeadingZero(hi) ? Math.max(lo.length, hi.length) : 0;
  const out: string[] = [];
  const count = Math.floor(Math.abs(b - a) / by) + 1;
  if (count > 10_000_000) throw new RangeError(`Cannot expand {${lo}..${hi}}: too many values`);
  for (let k = 0; k < count; k++) {
    const v = a <= b ? a + k * by : a - k * by;
    const digits = String(Math.abs(v)).padStart(width - (v < 0 ? 1 : 0), "0");
    out.push(v < 0 ? `-${digits}` : digits);
  }
  return out;
}

function charRange(lo: string, hi: string, step: string | undefined): string[] {
  const a = lo.charCodeAt(0);
  const b = hi.charCodeAt(0);
  const by = Math.abs(Number(step ?? 1)) || 1;
  const out: string[] = [];
  for (let c = a; a <= b ? c <= b : c >= b; c += a <= b ? by : -by) {
    out.push(String.fromCharCode(c));
  }
  return out;
}

/** Expands one group's parts: a range or a comma list. */
function alternatives(parts: string[]): string[] | undefined {
  if (parts.length > 1) return parts.flatMap((p) => expandBraces(p));
  const body = parts[0]!;
  const num = RANGE.exec(body);
  if (num) return numericRange(num[1]!, num[2]!, num[3]);
  const chr = CHAR_RANGE.exec(body);
  if (chr) return charRange(chr[1]!, chr[2]!, chr[3]);
  return undefined; // `{x}` with no comma or range stays literal
}

/**
 * Expands brace patterns the way webdataset (Python's `braceexpand`) does: numeric ranges
 * `{0..9}` (with an optional step `{0..9..2}`), zero-padded to the wider bound when a bound has
 * a leading zero (`{000000..000099}`), letter ranges `{a..e}`, comma lists `{train,val}`
 * (nestable), and several groups in one pattern (cartesian product, left to right). A string
 * without braces expands to itself.
 *
 * @example
 * ```ts
 * import { expandBraces } from "./expand_braces.ts";
 * const names = expandBraces("ds/{train,val}-{000..002}.tar");
 * if (names.join(" ") !== "ds/train-000.tar ds/train-001.tar ds/train-002.tar ds/val-000.tar ds/val-001.tar ds/val-002.tar") {
 *   throw new Error(names.join(" "));
 * }
 * ```
 */
export function expandBraces(pattern: string): string[] {
  const group = firstGroup(pattern);
  if (group === undefined) return [pattern];
  const [open, close, parts] = group;
  const head = pattern.slice(0, open);
  const options = alternatives(parts);
  if (options === undefined) {
    // Literal braces: keep them, expanding what is inside and after them.
    const tails = expandBraces(pattern.slice(close + 1));
    return expandBraces(parts[0]!).flatMap((inner) =>
      tails.map((tail) => `${head}{${inner}}${tail}`)
    );
  }
  const tails = expandBraces(pattern.slice(close + 1));
  const out: string[] = [];
  for (const option of options) for (const tail of tails) out.push(head + option + tail);
  return out;
}
