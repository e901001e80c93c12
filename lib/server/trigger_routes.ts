/**
 * {@linkcode triggerRoutes}: the dispatcher's routes for trigger rules, so that rules are
 * managed over HTTP as through the CLI (`trigger add | ls | rm`).
 *
 * | route                   | does                                                           |
 * | ----------------------- | -------------------------------------------------------------- |
 * | `GET /triggers`         | the store's rules                                              |
 * | `GET /triggers/:id`     | one rule (404 when there is none)                              |
 * | `PUT /triggers/:id`     | stores a rule over job code already in the store: 201 `{rule}` |
 * | `DELETE /triggers/:id`  | removes a rule (jobs it made and their outputs stay): 204      |
 *
 * A `PUT` names its code by SHA-256, as `POST /jobs` does (the client stored the bundle at
 * `_code/<hash>.js`); `?replace=1` replaces a rule with that id, else an id in use is 409 (`conflict`).
 *
 * @module
 */
import { z } from "zod";
import type { Store } from "../store/store.ts";
import {
  CREATE_ACTIONS,
  DELETE_ACTIONS,
  listTriggers,
  putTrigger,
  readTrigger,
  removeTrigger,
} from "../trigger/mod.ts";
import { ServerError } from "./server_error.ts";
import { readJsonBody } from "./_body.ts";
import { validate } from "./_validate.ts";
import { allow, json } from "./_http.ts";

/** The body of `PUT /triggers/:id`: unknown members are refused, not ignored. */
export const TriggerRequestSchema = z.strictObject({
  code: z.strictObject({
    hash: z.string().regex(/^[0-9a-f]{64}$/, "expected the SHA-256 hex of the stored bundle"),
  }),
  module: z.string().max(4096).optional(),
  output: z.string().min(1).max(1024),
  prefix: z.string().max(1024).optional(),
  suffix: z.string().max(256).optional(),
  on: z.array(z.enum([...CREATE_ACTIONS, ...DELETE_ACTIONS] as [string, ...string[]])).min(1)
    .optional(),
  waitForManifest: z.boolean().optional(),
  params: z.record(z.string(), z.unknown()).optional(),
});

const ONE = /^\/triggers\/([a-z0-9][a-z0-9._-]{0,63})$/;

/**
 * Answers a `/triggers` request, or returns `undefined` when `path` is not one of them. The
 * caller has checked the bearer token; errors are thrown as the dispatcher maps them
 * (`TriggerError` codes: `invalid_rule` 400, `exists` 409, `not_found` 404).
 *
 * @example
 * ```ts
 * import { triggerRoutes } from "./trigger_routes.ts";
 * import { MemoryStore } from "../store/memory_store.ts";
 * const res = await triggerRoutes(new MemoryStore(), new Request("http://x/triggers"), "/triggers", 1024);
 * if (res?.status !== 200 || (await res.json()).rules.length !== 0) throw new Error();
 * ```
 */
export async function triggerRoutes(
  store: Store,
  req: Request,
  path: string,
  maxBodyBytes: number,
): Promise<Response | undefined> {
  if (path === "/triggers") {
    allow(req, "GET");
    return json(200, { rules: await listTriggers(store) });
  }
  const id = ONE.exec(path)?.[1];
  if (id === undefined) {
    if (path.startsWith("/triggers/")) {
      throw new ServerError("not_found", `No trigger rule id in "${path}"`);
    }
    return undefined;
  }
  allow(req, "GET", "PUT", "DELETE");
  if (req.method === "GET" || req.method === "HEAD") {
    const rule = await readTrigger(store, id);
    if (!rule) throw new ServerError("not_found", `No trigger rule "${id}"`);
    return json(200, { rule });
  }
  if (req.method === "DELETE") {
    await removeTrigger(store, id);
    return new Response(null, { status: 204 });
  }
  const body = validate(
    TriggerRequestSchema,
    await readJsonBody(req, maxBodyBytes),
    "trigger rule",
  );
  const replace = ["1", "true"].includes(new URL(req.url).searchParams.get("replace") ?? "");
  const rule = await putTrigger(store, { id, ...body }, { replace });
  return json(201, { rule });
}
