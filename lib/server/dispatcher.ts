/**
 * {@linkcode createDispatcher}: the dispatcher HTTP API as one `(Request) => Promise<Response>`
 * function over a store, the same locally (`deno task cli serve`) and on Modal (a web server
 * function around that command). Any server that speaks Web `Request`/`Response` runs it
 * (`Deno.serve(handler)`).
 *
 * | route            | auth   | does                                                        |
 * | ---------------- | ------ | ----------------------------------------------------------- |
 * | `GET /health`    | none   | `{"ok": true}`                                              |
 * | `POST /jobs`     | bearer | validates a job request, starts the job: 202 `{id, ...}`    |
 * | `GET /jobs/:id`  | bearer | the job's status, read from the store                       |
 * | `POST /events`   | bearer | R2 event notifications (one or a batch) to `onEvents`: 202, |
 * |                  |        | or 207 when some events of the batch were rejected          |
 * | `/triggers[/:id]`| bearer | trigger rules: list, read, put, delete (`trigger_routes.ts`) |
 *
 * Errors are JSON, `{"error": {"code", "message", "issues"?}}`, with the status of the code
 * ({@linkcode ServerError}): 401 for a missing or wrong token (the same answer for both), 400
 * for a body that is not JSON or not a valid request (`issues` lists the failing paths), 413
 * past `maxBodyBytes`, 404, 405, 409 for a trigger rule id in use, 422 for a valid request that cannot be done (an input that
 * resolves to no shard), 500.
 *
 * `POST /events` checks a batch event by event ({@linkcode parseEventBatch}): the valid events go
 * to `onEvents` and the answer is `{received, accepted, rejected: [{index, key?, reason,
 * issues}], ...}` with 202 when every event was accepted and 207 when some (or all) were
 * rejected, so that a malformed event never costs the valid ones beside it. Only a body that is
 * no batch at all is answered 400.
 *
 * @module
 */
import type { OpenStoreOptions } from "../store/open_store.ts";
import type { Store } from "../store/store.ts";
import { Job } from "../job/job.ts";
import { status } from "../job/status.ts";
import { canonicalJson } from "../util/canonical_json.ts";
import { type JobRequest, startJob } from "../exec/mod.ts";
import { ServerError, type ServerErrorCode } from "./server_error.ts";
import { JobRequestSchema } from "./job_request.ts";
import type { R2Event } from "./r2_event.ts";
import { parseEventBatch } from "./event_batch.ts";
import { bearerCheck } from "./_auth.ts";
import { readJsonBody } from "./_body.ts";
import { validate } from "./_validate.ts";
import { allow, json } from "./_http.ts";
import { triggerRoutes } from "./trigger_routes.ts";

/** What an `onEvents` hook gets besides the events. */
export interface EventsContext {
  /** The dispatcher's store. */
  store: Store;
  /** Starts a job the way `POST /jobs` does (the dispatcher's backend and store options). */
  submit(request: JobRequest): Promise<Job>;
  /**
   * Where each event came in the posted batch: `events[i]` was at `positions[i]` (rejected
   * events are not handed over, so the two differ after the first one). @default 0, 1, 2, ...
   */
  positions?: readonly number[];
}

/**
 * Handles the valid events of a batch (the event triggers plug in here); it is not called when
 * none is valid. What it returns is merged into the 202 (or 207) answer; what it throws is answered as an error (a {@linkcode ServerError}
 * with its status, anything else 500), so the sender retries.
 */
export type EventsHandler = (
  events: R2Event[],
  context: EventsContext,
) => Promise<Record<string, unknown> | void>;

/** One line of the request log: never a header, a body or a query string. */
export interface RequestLogEntry {
  /** ISO 8601 time the request arrived. */
  time: string;
  method: string;
  /** The URL path, without the query string. */
  path: string;
  status: number;
  /** Milliseconds to answer. */
  ms: number;
  /** The error code, for an error. */
  code?: ServerErrorCode;
  /** The job concerned, when there is one. */
  job?: string;
  /** An internal error's message (500 only). */
  error?: string;
}

/** Options for {@linkcode createDispatcher}. */
export interface DispatcherOptions {
  /** The bearer token every route but `/health` requires. */
  token: string;
  /** The backend jobs run on. @default "local" */
  backend?: string;
  /** How the backend's processes open the store (from the dispatcher's own settings). @default {} */
  storeOptions?: OpenStoreOptions;
  /** Backend-specific options. @default {} */
  backendOptions?: Record<string, unknown>;
  /** Largest request body accepted, in bytes. @default 1048576 */
  maxBodyBytes?: number;
  /**
   * What `POST /events` does with validated events.
   * @default counts them by action (nothing is started)
   */
  onEvents?: EventsHandler;
  /** Receives one entry per request. @default none */
  onLog?: (entry: RequestLogEntry) => void;
}

const JOB_PATH = /^\/jobs\/(j-[0-9a-f]{8,64})$/;

/**
 * Creates the dispatcher's request handler over `store`.
 *
 * @example
 * ```ts
 * import { openStore } from "../store/mod.ts";
 * import { createDispatcher } from "./dispatcher.ts";
 * const handler = createDispatcher(await openStore("memory://dispatcher-doc"), { token: "t0k3n" });
 * const health = await handler(new Request("http://x/health"));
 * const denied = await handler(new Request("http://x/jobs/j-0123456789", {
 *   headers: { authorization: "Bearer wrong" },
 * }));
 * if (health.status !== 200 || denied.status !== 401) throw new Error();
 * if ((await denied.json()).error.code !== "unauthorized") throw new Error();
 * ```
 */
export function createDispatcher(
  store: Store,
  options: DispatcherOptions,
): (req: Request) => Promise<Response> {
  if (!options.token) throw new TypeError("createDispatcher needs a non-empty token");
  const authorized = bearerCheck(options.token);
  const maxBodyBytes = options.maxBodyBytes ?? 1_048_576;
  const backend = options.backend ?? "local";
  // Identical requests in flight share one start (fifty clients posting the same job at once);
  // only the first is told it created or started anything. Across dispatchers, the store's
  // create-only records and start claims keep it one job with one executor.
  const inFlight = new Map<string, Promise<Job>>();
  const submit = async (request: JobRequest): Promise<Job> => {
    const key = canonicalJson(request);
    const shared = inFlight.get(key);
    if (shared) {
      const job = await shared;
      return new Job(store, job.spec, { created: false, started: false });
    }
    const job = startJob(store, {
      ...request,
      backend,
      storeOptions: options.storeOptions,
      backendOptions: options.backendOptions,
    }).finally(() => inFlight.delete(key));
    inFlight.set(key, job);
    return await job;
  };

  const onEvents = options.onEvents ?? countEvents;

  const route = async (req: Request, path: string, log: Partial<RequestLogEntry>) => {
    if (path === "/health") {
      allow(req, "GET");
      return json(200, { ok: true });
    }
    if (!authorized(req.headers.get("authorization"))) {
      await req.body?.cancel().catch(() => {});
      throw new ServerError("unauthorized", "Missing or invalid bearer token");
    }
    if (path === "/jobs") {
      allow(req, "POST");
      const request = validate(
        JobRequestSchema,
        await readJsonBody(req, maxBodyBytes),
        "job request",
      );
      const job = await submit(request);
      log.job = job.id;
      return json(202, {
        id: job.id,
        created: job.created,
        started: job.started,
        output: job.output,
        tasks: job.spec.tasks.length,
        status: `/jobs/${job.id}`,
      });
    }
    const match = JOB_PATH.exec(path);
    if (match) {
      allow(req, "GET");
      log.job = match[1]!;
      const { task_states: _, ...s } = await status(store, match[1]!);
      return json(200, s);
    }
    if (path === "/events") {
      allow(req, "POST");
      const { events, positions, rejected } = parseEventBatch(
        await readJsonBody(req, maxBodyBytes),
      );
      const outcome = events.length > 0
        ? await onEvents(events, { store, submit, positions })
        : undefined;
      return json(rejected.length === 0 ? 202 : 207, {
        ...outcome,
        received: events.length + rejected.length,
        accepted: events.length,
        rejected,
      });
    }
    const answer = await triggerRoutes(store, req, path, maxBodyBytes);
    if (answer) return answer;
    throw new ServerError("not_found", `No route ${req.method} ${path}`);
  };

  return async (req) => {
    const started = Date.now();
    const path = new URL(req.url).pathname;
    const log: Partial<RequestLogEntry> = {};
    let res: Response;
    try {
      res = await route(req, path, log);
    } catch (err) {
      const e = asServerError(err);
      log.code = e.code;
      if (e.code === "internal") log.error = err instanceof Error ? err.message : String(err);
      res = json(e.status, e.toJSON(), e.code === "unauthorized" ? UNAUTHORIZED : {});
    }
    options.onLog?.({
      time: new Date(started).toISOString(),
      method: req.method,
      path,
      status: res.status,
      ms: Date.now() - started,
      ...log,
    });
    return res;
  };
}

const UNAUTHORIZED = { "www-authenticate": 'Bearer realm="shardline"' };

/** Job errors map to HTTP in this one place; anything unexpected is a 500. */
function asServerError(err: unknown): ServerError {
  if (err instanceof ServerError) return err;
  const code = (err as { code?: unknown })?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === "not_found") return new ServerError("not_found", message);
  if (code === "invalid_input" || code === "invalid_job") {
    return new ServerError("unprocessable", message);
  }
  if (code === "invalid_rule") return new ServerError("invalid_request", message);
  if (code === "exists") return new ServerError("conflict", message);
  return new ServerError("internal", "Internal error (see the dispatcher's log)", { cause: err });
}

/** The default `onEvents`: counts the events by action and starts nothing. */
function countEvents(events: R2Event[]): Promise<Record<string, unknown>> {
  const actions: Record<string, number> = {};
  for (const e of events) actions[e.action] = (actions[e.action] ?? 0) + 1;
  return Promise.resolve({ actions });
}
