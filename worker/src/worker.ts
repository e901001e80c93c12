/**
 * The shardline event Worker: consumes the Cloudflare Queue that R2 event notifications feed,
 * keeps the events its vars select, and forwards a whole batch in one `POST /events` to the
 * shardline dispatcher with a bearer token. It acks what the dispatcher took (2xx) and what it
 * refused for good (other 4xx, logged); on a 5xx, a 408/425/429 or a network failure it retries
 * every forwarded message with a delay that grows with the message's attempts, and the queue
 * moves a message that fails `max_retries` times to the dead-letter queue.
 *
 * Configuration (see `wrangler.jsonc` and `worker/README.md`):
 * - `DISPATCHER_URL` (var): the dispatcher's base URL.
 * - `DISPATCHER_TOKEN` (secret, `wrangler secret put DISPATCHER_TOKEN`).
 * - `EVENT_PREFIXES`, `EVENT_SUFFIXES`, `EVENT_ACTIONS`, `EVENT_BUCKETS` (vars): lists
 *   (JSON arrays or comma-separated); empty lets everything through.
 * - `RETRY_BASE_SECONDS` (default 5), `RETRY_MAX_SECONDS` (default 300),
 *   `DISPATCH_TIMEOUT_SECONDS` (default 30) (vars).
 *
 * @module
 */
import type { QueueMessage, QueueMessageBatch } from "./_queue_types.ts";
import { eventFilter, listVar } from "./event_filter.ts";
import { forwardEvents, retryDelaySeconds } from "./forward_events.ts";
import { parseR2Event, type R2EventMessage } from "./r2_event.ts";

/** The Worker's bindings. */
export interface Env {
  DISPATCHER_URL?: string;
  DISPATCHER_TOKEN?: string;
  EVENT_PREFIXES?: string | string[];
  EVENT_SUFFIXES?: string | string[];
  EVENT_ACTIONS?: string | string[];
  EVENT_BUCKETS?: string | string[];
  RETRY_BASE_SECONDS?: string | number;
  RETRY_MAX_SECONDS?: string | number;
  DISPATCH_TIMEOUT_SECONDS?: string | number;
}

/** One log line (JSON, for `wrangler tail` and Workers Logs); never holds the token. */
function log(level: "info" | "warn" | "error", fields: Record<string, unknown>): void {
  const line = JSON.stringify({ level, worker: "shardline-events", ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

function numberVar(value: unknown, fallback: number): number {
  const n = typeof value === "number" ? value : Number(value);
  return value === undefined || value === "" || !Number.isFinite(n) || n < 0 ? fallback : n;
}

/**
 * Handles one batch: validate, filter, forward, then ack or retry each message.
 *
 * @example
 * ```ts
 * import { handleBatch } from "./worker.ts";
 * const acked: string[] = [];
 * const msg = (id: string, key: string) => ({
 *   id, timestamp: new Date(), attempts: 1, ack: () => acked.push(id), retry: () => {},
 *   body: { account: "a", action: "PutObject", bucket: "b", object: { key }, eventTime: "" },
 * });
 * const batch = { queue: "q", messages: [msg("1", "raw/a.tar"), msg("2", "other/b.tar")],
 *   ackAll() {}, retryAll() {} };
 * let posted = 0;
 * const fetch = () => { posted++; return Promise.resolve(new Response("{}")); };
 * await handleBatch(batch, { DISPATCHER_URL: "http://d.invalid", DISPATCHER_TOKEN: "t",
 *   EVENT_PREFIXES: "raw/" }, { fetch });
 * if (posted !== 1 || acked.sort().join() !== "1,2") throw new Error();
 * ```
 */
export async function handleBatch(
  batch: QueueMessageBatch,
  env: Env,
  options: { fetch?: typeof fetch } = {},
): Promise<void> {
  const keep = eventFilter({
    prefixes: listVar(env.EVENT_PREFIXES),
    suffixes: listVar(env.EVENT_SUFFIXES),
    actions: listVar(env.EVENT_ACTIONS),
    buckets: listVar(env.EVENT_BUCKETS),
  });
  const forward: { msg: QueueMessage; event: R2EventMessage }[] = [];
  let ignored = 0;
  for (const msg of batch.messages) {
    const parsed = parseR2Event(msg.body);
    if (!parsed.ok) {
      // Malformed for good: retrying cannot fix it.
      log("warn", { msg: "not an R2 event, dropped", id: msg.id, reason: parsed.reason });
      msg.ack();
    } else if (!keep(parsed.value)) {
      ignored++;
      msg.ack();
    } else forward.push({ msg, event: parsed.value });
  }
  if (forward.length === 0) return;

  const backoff = {
    baseSeconds: numberVar(env.RETRY_BASE_SECONDS, 5),
    maxSeconds: numberVar(env.RETRY_MAX_SECONDS, 300),
  };
  /** Retries every forwarded message; returns the delays used. */
  const retry = (extraSeconds = 0): number[] =>
    forward.map(({ msg }) => {
      const delaySeconds = Math.max(extraSeconds, retryDelaySeconds(msg.attempts, backoff));
      msg.retry({ delaySeconds });
      return delaySeconds;
    });
  const summary = {
    queue: batch.queue,
    events: forward.length,
    ignored,
    keys: forward.slice(0, 5).map(({ event }) => event.object.key),
    attempts: Math.max(...forward.map(({ msg }) => msg.attempts)),
  };
  if (!env.DISPATCHER_URL || !env.DISPATCHER_TOKEN) {
    // A deployment mistake: keep the events (retried, then dead-lettered) rather than lose them.
    const delays = retry();
    log("error", {
      msg: "DISPATCHER_URL or DISPATCHER_TOKEN is not set; retrying",
      delaySeconds: Math.max(...delays),
      ...summary,
    });
    return;
  }
  const outcome = await forwardEvents(forward.map(({ event }) => event), {
    url: env.DISPATCHER_URL,
    token: env.DISPATCHER_TOKEN,
    timeoutMs: numberVar(env.DISPATCH_TIMEOUT_SECONDS, 30) * 1000,
    fetch: options.fetch,
  });
  if (outcome.kind === "delivered") {
    for (const { msg } of forward) msg.ack();
    log("info", { msg: "delivered", status: outcome.status, ...summary });
  } else if (outcome.kind === "rejected") {
    for (const { msg } of forward) msg.ack();
    log("error", {
      msg: "dispatcher refused the batch for good; acked (recover with `watch --backfill`)",
      status: outcome.status,
      detail: outcome.detail,
      ...summary,
    });
  } else {
    const delays = retry(outcome.retryAfterSeconds);
    log("warn", {
      msg: "dispatcher unavailable; retrying",
      delaySeconds: Math.max(...delays),
      status: outcome.status,
      detail: outcome.detail,
      ...summary,
    });
  }
}

export default {
  async queue(batch: QueueMessageBatch, env: Env): Promise<void> {
    await handleBatch(batch, env);
  },
};
