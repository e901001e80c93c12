/**
 * {@linkcode parseEventBatch}: the body of `POST /events` checked event by event. A batch (a JSON
 * array) is split into the events that are valid R2 notifications and the ones that are not,
 * each refused one named by its position with the reason, so that one malformed event does not
 * cost the rest of its batch. Only a body that is not a batch at all (not an array or an
 * object, an empty array, more than 1000 events, or a single event that is invalid) is refused
 * as a whole.
 *
 * @module
 */
import { type R2Event, R2EventSchema } from "./r2_event.ts";
import { type RequestIssue, ServerError } from "./server_error.ts";
import { describeIssues, requestIssues, validate } from "./_validate.ts";

/** Most events one `POST /events` takes. */
export const MAX_EVENTS = 1000;

/** One event of a batch that is not a valid R2 event notification. */
export interface RejectedEvent {
  /** Its position in the posted array (from 0). */
  index: number;
  /** Its `object.key`, when it has a string there. */
  key?: string;
  /** What is wrong, in one line (`eventTime: Invalid ISO datetime`). */
  reason: string;
  /** Every failing path inside the event (`object.key`, `eventTime`). */
  issues: RequestIssue[];
}

/** What {@linkcode parseEventBatch} found. */
export interface EventBatch {
  /** The valid events, in the order they came. */
  events: R2Event[];
  /** The position in the posted array of each of `events` (`events[i]` came at `positions[i]`). */
  positions: number[];
  /** The invalid events, by position. */
  rejected: RejectedEvent[];
}

/**
 * Splits a `POST /events` body into valid and rejected events. Throws a
 * {@linkcode ServerError} `invalid_request` when the body as a whole is not a batch.
 *
 * @example
 * ```ts
 * import { parseEventBatch } from "./event_batch.ts";
 * const ok = { account: "a", action: "PutObject", bucket: "b",
 *   object: { key: "raw/shard-000000.tar", size: 1, eTag: "e" }, eventTime: "2026-12-07T00:00:00Z" };
 * const batch = parseEventBatch([ok, { ...ok, eventTime: "yesterday" }, ok]);
 * if (batch.events.length !== 2 || batch.positions.join() !== "0,2") throw new Error();
 * if (batch.rejected[0]?.index !== 1 || batch.rejected[0]?.issues[0]?.path !== "eventTime") {
 *   throw new Error();
 * }
 * ```
 */
export function parseEventBatch(body: unknown): EventBatch {
  if (!Array.isArray(body)) {
    // One event on its own: there is nothing else to accept, so an invalid one is a bad request.
    const event = validate(R2EventSchema, body, "R2 event notification");
    return { events: [event], positions: [0], rejected: [] };
  }
  if (body.length === 0 || body.length > MAX_EVENTS) {
    throw new ServerError(
      "invalid_request",
      `Invalid R2 event batch: expected 1 to ${MAX_EVENTS} events, got ${body.length}`,
      { issues: [{ path: "", message: `expected 1 to ${MAX_EVENTS} events` }] },
    );
  }
  const batch: EventBatch = { events: [], positions: [], rejected: [] };
  for (const [index, value] of body.entries()) {
    const parsed = R2EventSchema.safeParse(value);
    if (parsed.success) {
      batch.events.push(parsed.data);
      batch.positions.push(index);
      continue;
    }
    const issues = requestIssues(parsed.error);
    const key = (value as { object?: { key?: unknown } } | null)?.object?.key;
    batch.rejected.push({
      index,
      ...(typeof key === "string" && { key }),
      reason: describeIssues(issues, "(event)"),
      issues,
    });
  }
  return batch;
}
