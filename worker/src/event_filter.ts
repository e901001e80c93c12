/**
 * {@linkcode eventFilter}: which R2 events the Worker forwards, from its configured prefixes,
 * suffixes and actions (Worker vars: JSON arrays in `wrangler.jsonc`, or comma-separated text).
 *
 * @module
 */
import type { R2EventMessage } from "./r2_event.ts";

/** The filter's configuration; an empty or absent list lets everything through. */
export interface EventFilterConfig {
  /** Key prefixes; an event passes when its key starts with one of them. @default [] (any) */
  prefixes?: readonly string[];
  /** Key suffixes; an event passes when its key ends with one of them. @default [] (any) */
  suffixes?: readonly string[];
  /** Actions (`PutObject`, ...); an event passes when its action is one of them. @default [] (any) */
  actions?: readonly string[];
  /** Buckets; an event passes when it comes from one of them. @default [] (any) */
  buckets?: readonly string[];
}

/**
 * A Worker var as a list: a JSON array as wrangler passes it, a JSON array in text, or
 * comma-separated text; absent or empty is the empty list.
 *
 * @example
 * ```ts
 * import { listVar } from "./event_filter.ts";
 * if (listVar("raw/, in/").join("|") !== "raw/|in/") throw new Error();
 * if (listVar(["a"]).join() !== "a" || listVar(undefined).length !== 0) throw new Error();
 * ```
 */
export function listVar(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== "string" || value.trim() === "") return [];
  const text = value.trim();
  if (text.startsWith("[")) {
    const parsed = JSON.parse(text);
    if (Array.isArray(parsed)) return parsed.map(String);
  }
  return text.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/**
 * Makes the predicate that keeps the events the configuration names.
 *
 * @example
 * ```ts
 * import { eventFilter } from "./event_filter.ts";
 * const keep = eventFilter({ prefixes: ["raw/"], suffixes: [".tar"], actions: ["PutObject"] });
 * const ev = (key: string, action = "PutObject") =>
 *   ({ account: "a", action, bucket: "b", object: { key }, eventTime: "" });
 * if (!keep(ev("raw/s-0.tar")) || keep(ev("raw/s-0.json")) || keep(ev("x/s-0.tar"))) {
 *   throw new Error();
 * }
 * if (keep(ev("raw/s-0.tar", "DeleteObject"))) throw new Error();
 * ```
 */
export function eventFilter(config: EventFilterConfig): (event: R2EventMessage) => boolean {
  const { prefixes = [], suffixes = [], actions = [], buckets = [] } = config;
  return (event) => {
    const key = event.object.key;
    return (prefixes.length === 0 || prefixes.some((p) => key.startsWith(p))) &&
      (suffixes.length === 0 || suffixes.some((s) => key.endsWith(s))) &&
      (actions.length === 0 || actions.includes(event.action)) &&
      (buckets.length === 0 || buckets.includes(event.bucket));
  };
}
