/**
 * {@linkcode forwardEvents}: one `POST /events` to the dispatcher with a batch of R2 events and
 * a bearer token, and what the answer means for the queue messages: delivered (ack; the
 * dispatcher's 207 names the events it rejected as malformed, which are refused one by one),
 * rejected for good (ack and log: retrying cannot help) or failed for now (retry later with
 * backoff).
 *
 * @module
 */
import type { R2EventMessage } from "./r2_event.ts";

/** Where and how to post. */
export interface ForwardEventsOptions {
  /** The dispatcher's base URL; events go to `<url>/events`. */
  url: string;
  /** The bearer token (a Worker secret). */
  token: string;
  /** Give up on the request after this long (then retry the batch). @default 30000 */
  timeoutMs?: number;
  /** The fetch to use. @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** One event of the batch that the dispatcher refused as malformed (its 207 answer). */
export interface RejectedEvent {
  /** Its position in the posted array. */
  index: number;
  /** Why (the failing fields). */
  reason: string;
}

/** What became of a batch. */
export interface ForwardOutcome {
  /** `delivered`: 2xx; `rejected`: a 4xx that retrying cannot fix; `failed`: retry later. */
  kind: "delivered" | "rejected" | "failed";
  /** The HTTP status, when there was an answer. */
  status?: number;
  /** The start of the answer's body, or the network error, for the log (never the token). */
  detail: string;
  /** Seconds the dispatcher asked to wait (`Retry-After`), when it did. */
  retryAfterSeconds?: number;
  /**
   * `delivered`: the events the dispatcher did not take because they are malformed (the
   * `rejected` list of its answer); empty when it took them all.
   */
  rejected: RejectedEvent[];
}

/** 4xx statuses that mean "not now" rather than "never": retried like a 5xx. */
const TRANSIENT_4XX = new Set([408, 425, 429]);

/**
 * Posts the events as one JSON array to `<url>/events` and classifies the answer.
 *
 * @example
 * ```ts
 * import { forwardEvents } from "./forward_events.ts";
 * const fake = (status: number) => () => Promise.resolve(new Response("{}", { status }));
 * const opts = { url: "http://dispatcher.invalid", token: "t" };
 * if ((await forwardEvents([], { ...opts, fetch: fake(200) })).kind !== "delivered") throw 1;
 * if ((await forwardEvents([], { ...opts, fetch: fake(401) })).kind !== "rejected") throw 2;
 * if ((await forwardEvents([], { ...opts, fetch: fake(503) })).kind !== "failed") throw 3;
 * if ((await forwardEvents([], { ...opts, fetch: fake(429) })).kind !== "failed") throw 4;
 * const partial = () =>
 *   Promise.resolve(Response.json({ rejected: [{ index: 1, reason: "eventTime: bad" }] }, { status: 207 }));
 * const out = await forwardEvents([], { ...opts, fetch: partial });
 * if (out.kind !== "delivered" || out.rejected[0]?.index !== 1) throw 5;
 * ```
 */
export async function forwardEvents(
  events: readonly R2EventMessage[],
  options: ForwardEventsOptions,
): Promise<ForwardOutcome> {
  const { url, token, timeoutMs = 30_000, fetch: doFetch = globalThis.fetch } = options;
  let response: Response;
  try {
    response = await doFetch(`${url.replace(/\/+$/, "")}/events`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(events),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    return {
      kind: "failed",
      detail: `network: ${err instanceof Error ? err.message : err}`,
      rejected: [],
    };
  }
  const text = await response.text().catch(() => "");
  const detail = text.slice(0, 300);
  const status = response.status;
  if (status >= 200 && status < 300) {
    return { kind: "delivered", status, detail, rejected: rejectedEvents(text) };
  }
  if (status >= 400 && status < 500 && !TRANSIENT_4XX.has(status)) {
    return { kind: "rejected", status, detail, rejected: [] };
  }
  const retryAfter = Number(response.headers.get("retry-after"));
  return {
    kind: "failed",
    status,
    detail,
    ...(Number.isFinite(retryAfter) && retryAfter > 0 && { retryAfterSeconds: retryAfter }),
    rejected: [],
  };
}

/** The `rejected` list of a 2xx answer (`[]` when it has none, or is not JSON). */
function rejectedEvents(text: string): RejectedEvent[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [];
  }
  const list = (body as { rejected?: unknown } | null)?.rejected;
  if (!Array.isArray(list)) return [];
  return list.flatMap((r) =>
    Number.isInteger(r?.index)
      ? [{ index: r.index, reason: typeof r.reason === "string" ? r.reason : "rejected" }]
      : []
  );
}

/** The backoff policy of {@linkcode retryDelaySeconds}. */
export interface BackoffOptions {
  /** Delay after the first failed delivery. @default 5 */
  baseSeconds?: number;
  /** Upper bound. @default 300 */
  maxSeconds?: number;
}

/**
 * Seconds to wait before the next delivery of a message delivered `attempts` times:
 * `base * 2^(attempts - 1)`, at most `max` (Queues caps a delay at 12 hours).
 *
 * @example
 * ```ts
 * import { retryDelaySeconds } from "./forward_events.ts";
 * const d = [1, 2, 3, 10].map((a) => retryDelaySeconds(a, { baseSeconds: 5, maxSeconds: 60 }));
 * if (d.join() !== "5,10,20,60") throw new Error(d.join());
 * ```
 */
export function retryDelaySeconds(attempts: number, options: BackoffOptions = {}): number {
  const { baseSeconds = 5, maxSeconds = 300 } = options;
  const exp = Math.max(0, Math.min(30, attempts - 1));
  return Math.min(maxSeconds, 43_200, Math.round(baseSeconds * 2 ** exp));
}
