/**
 * The dispatcher's small HTTP helpers, shared by its routes: JSON answers and method checks.
 *
 * @module
 */
import { ServerError } from "./server_error.ts";

/** A JSON answer, never cached. */
export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
  });
}

/** Throws `method_not_allowed` unless the request's method is one of `methods` (HEAD counts as GET). */
export function allow(req: Request, ...methods: string[]): void {
  if (methods.includes(req.method) || (req.method === "HEAD" && methods.includes("GET"))) return;
  throw new ServerError(
    "method_not_allowed",
    `${req.method} is not allowed here (${methods.join(", ")})`,
  );
}
