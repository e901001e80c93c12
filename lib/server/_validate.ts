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
  const issues = requestIssues(parsed.error);
  throw new ServerError("invalid_request", `Invalid ${what}: ${describeIssues(issues)}`, {
    issues,
  });
}

/** A zod error's issues with their paths written `a.b[2].c` (`""` for the root). */
export function requestIssues(error: z.ZodError): RequestIssue[] {
  return error.issues.map((i) => ({
    path: i.path.map((p) => typeof p === "number" ? `[${p}]` : `.${String(p)}`).join("")
      .replace(/^\./, ""),
    message: i.message,
  }));
}

/** The first few issues in one line: `path: message; path: message`. */
export function describeIssues(issues: readonly RequestIssue[], root = "(body)"): string {
  return issues.slice(0, 5).map((i) => `${i.path || root}: ${i.message}`).join("; ");
}
