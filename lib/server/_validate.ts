/**
 * Turns a zod parse into the dispatcher's answer: the value, or a {@linkcode ServerError}
 * `invalid_request` listing every failing path.
 *
 * @module
 */
import type { z } from "zod";
import { type RequestIssue, ServerError } from "./server_error.ts";

/** Parses `value` with `schema`; throws `invalid_request` naming `what` and the failing paths. */
export function validate<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues: RequestIssue[] = parsed.error.issues.map((i) => ({
    path: i.path.map((p) => typeof p === "number" ? `[${p}]` : `.${String(p)}`).join("")
      .replace(/^\./, ""),
    message: i.message,
  }));
  const list = issues.slice(0, 5).map((i) => `${i.path || "(body)"}: ${i.message}`).join("; ");
  throw new ServerError("invalid_request", `Invalid ${what}: ${list}`, { issues });
}
