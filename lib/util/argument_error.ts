/**
 * {@linkcode ArgumentError} and the checks that throw it: an argument of the wrong kind, named
 * with its function and parameter, at the front door rather than as a bare `TypeError` from
 * deep inside (notebooks do not type-check).
 *
 * @module
 */

/**
 * A wrong-kind argument: `datasetStats: "store" must be a Store (from openStore(url)), got the
 * string "./data"`.
 *
 * @example
 * ```ts
 * import { ArgumentError } from "./argument_error.ts";
 * const err = new ArgumentError("query", "dataset", "a string", 42);
 * if (err.code !== "invalid_argument" || !(err instanceof TypeError)) throw new Error();
 * if (err.message !== 'query: "dataset" must be a string, got the number 42') throw new Error(err.message);
 * ```
 */
export class ArgumentError extends TypeError {
  override readonly name = "ArgumentError";
  /** Always `"invalid_argument"`. */
  readonly code = "invalid_argument" as const;
  /** The function called. */
  readonly function: string;
  /** The parameter with the wrong value. */
  readonly parameter: string;

  constructor(fn: string, parameter: string, expected: string, got: unknown) {
    super(`${fn}: "${parameter}" must be ${expected}, got ${describe(got)}`);
    this.function = fn;
    this.parameter = parameter;
  }
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (typeof v === "string") return `the string ${JSON.stringify(v.slice(0, 80))}`;
  if (typeof v === "object") return `a ${v.constructor?.name ?? "object"}`;
  return `the ${typeof v} ${String(v).slice(0, 80)}`;
}

/**
 * Throws {@linkcode ArgumentError} unless `value` looks like a Store (`get`, `put`, `list`).
 *
 * @example
 * ```ts
 * import { checkStore } from "./argument_error.ts";
 * try {
 *   checkStore("./data", "datasetStats");
 *   throw new Error("unreachable");
 * } catch (err) {
 *   if (!(err as Error).message.includes("openStore")) throw err;
 * }
 * ```
 */
export function checkStore(value: unknown, fn: string, parameter = "store"): void {
  const s = value as Record<string, unknown> | null;
  if (
    typeof s !== "object" || s === null || typeof s.get !== "function" ||
    typeof s.put !== "function" || typeof s.list !== "function"
  ) {
    throw new ArgumentError(fn, parameter, "a Store (from openStore(url))", value);
  }
}

/**
 * Throws {@linkcode ArgumentError} unless `value` is a non-empty string.
 *
 * @example
 * ```ts
 * import { checkName } from "./argument_error.ts";
 * checkName("raw/images", "readIndex", "dataset");
 * let threw = false;
 * try { checkName(undefined, "readIndex", "dataset"); } catch { threw = true; }
 * if (!threw) throw new Error("accepted undefined");
 * ```
 */
export function checkName(value: unknown, fn: string, parameter: string): void {
  if (typeof value !== "string" || value === "") {
    throw new ArgumentError(fn, parameter, "a non-empty string", value);
  }
}
