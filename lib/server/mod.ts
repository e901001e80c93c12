/**
 * The dispatcher HTTP API: {@linkcode createDispatcher} turns a store into a
 * `(Request) => Promise<Response>` handler (jobs, job status, R2 events, health) that
 * `deno task cli serve` runs with `Deno.serve`, locally and on Modal.
 *
 * ```ts
 * import { openStore } from "../store/mod.ts";
 * import { createDispatcher } from "./mod.ts";
 * const store = await openStore("memory://server-tour");
 * const handler = createDispatcher(store, {
 *   token: "s3cret",
 *   onEvents: (events) => Promise.resolve({ keys: events.map((e) => e.object.key) }),
 * });
 * const res = await handler(new Request("http://dispatcher/events", {
 *   method: "POST",
 *   headers: { authorization: "Bearer s3cret", "content-type": "application/json" },
 *   body: JSON.stringify({
 *     account: "acc", action: "PutObject", bucket: "b",
 *     object: { key: "raw/shard-000007.tar", size: 1024, eTag: "e" },
 *     eventTime: "2026-01-01T00:00:00Z",
 *   }),
 * }));
 * const body = await res.json();
 * if (res.status !== 202 || body.received !== 1 || body.keys[0] !== "raw/shard-000007.tar") {
 *   throw new Error(JSON.stringify(body));
 * }
 * ```
 *
 * @module
 */
export {
  createDispatcher,
  type DispatcherOptions,
  type EventsContext,
  type EventsHandler,
  type RequestLogEntry,
} from "./dispatcher.ts";
export { JobRequestSchema } from "./job_request.ts";
export { TriggerRequestSchema, triggerRoutes } from "./trigger_routes.ts";
export { type EventBatch, MAX_EVENTS, parseEventBatch, type RejectedEvent } from "./event_batch.ts";
export { type R2Event, R2EventSchema } from "./r2_event.ts";
export { type RequestIssue, ServerError, type ServerErrorCode, statusOf } from "./server_error.ts";
