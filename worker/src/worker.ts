/**
 * The shardline event Worker: consumes the Cloudflare Queue that R2 event notifications feed,
 * keeps the events its vars select, and forwards a whole batch in one `POST /events` to the
 * shardline dispatcher with a bearer token. It acks what the dispatcher took (2xx) and what is
 * refused for good: a body that is not an R2 event, each event the dispatcher's 207 answer lists
 * as rejected (malformed), a batch refused with another 4xx; each is logged and, with the
 * `DEAD_LETTER_QUEUE` producer bound, copied to the dead-letter queue. On a 5xx, a 408/425/429
 * or a network failure it retries every forwarded message with a delay that grows with the
 * message's attempts, and the queue moves a message that fails `max_retries` times to the
 * dead-letter queue.
 *
 * Configuration (see `wrangler.jsonc` and `worker/README.md`):
 * - `DISPATCHER_URL` (var): the dispatcher's base URL.
 * - `DISPATCHER_TOKEN` (secret, `wrangler secret put DISPATCHER_TOKEN`).
 * - `EVENT_PREFIXES`, `EVENT_SUFFIXES`, `EVENT_ACTIONS`, `EVENT_BUCKETS` (vars): lists
 *   (JSON arrays or comma-separated); empty lets everything through.
 * - `RETRY_BASE_SECONDS` (default 5), `RETRY_MAX_SECONDS` (default 300),
 *   `DISPATCH_TIMEOUT_SECONDS` (default 30) (vars).
 * - `DEAD_LETTER_QUEUE` (queue producer binding, optional): where refused events are copied.
 *
 * @module
 */
import type { QueueMessage, QueueMessageBatch, QueueProducer } from "./_queue_types.ts";
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
  /**
   * Optional producer binding to the dead-letter queue: what is refused for good (malformed,
   * rejected by the dispatcher) is copied there as it came, besides the log line.
   */
  DEAD_LETTER_QUEUE?: QueueProducer;
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

/** A message acked without being delivered, and why. */
interface Refusal {
  msg: QueueMessage;
  /** Who refused it: the Worker (not an R2 event) or the dispatcher. */
  by: "worker" | "dispatcher";
  reason: string;
  /** Its key and position in the POST, when it was forwarded. */
  key?: string;
  index?: number;
}

/**
 * Handles one batch: validate, filter, forward, then ack or retry each message. A message that
 * is refused for good (not an R2 event, an event the dispatcher rejects as malformed in its 207
 * answer, or a batch it refuses with a 4xx) is acked, logged and, when the
 * `DEAD_LETTER_QUEUE` producer is bound, copied there as it came; the others of its batch go
 * on. Only what failed for now is retried.
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
  const refused: Refusal[] = [];
  let ignored = 0;
  for (const msg of batch.messages) {
    const parsed = parseR2Event(msg.body);
    if (!parsed.ok) {
      // Malformed for good: retrying cannot fix it.
      refused.push({ msg, by: "worker", reason: `not an R2 event: ${parsed.reason}` });
    } else if (!keep(parsed.value)) {
      ignored++;
      msg.ack();
    } else forward.push({ msg, event: parsed.value });
  }
  const backoff = {
    baseSeconds: numberVar(env.RETRY_BASE_SECONDS, 5),
    maxSeconds: numberVar(env.RETRY_MAX_SECONDS, 300),
  };
  /** Retries messages with the backoff of their attempts; returns the longest delay. */
  const retry = (messages: QueueMessage[], extraSeconds = 0): number =>
    Math.max(
      ...messages.map((msg) => {
        const delaySeconds = Math.max(extraSeconds, retryDelaySeconds(msg.attempts, backoff));
        msg.retry({ delaySeconds });
        return delaySeconds;
      }),
    );
  if (forward.length === 0) {
    await refuse(refused, env, retry);
    return;
  }

  const summary = {
    queue: batch.queue,
    events: forward.length,
    ignored,
    keys: forward.slice(0, 5).map(({ event }) => event.object.key),
    attempts: Math.max(...forward.map(({ msg }) => msg.attempts)),
  };
  if (!env.DISPATCHER_URL || !env.DISPATCHER_TOKEN) {
    // A deployment mistake: keep the events (retried, then dead-lettered) rather than lose them.
    const delaySeconds = retry(forward.map(({ msg }) => msg));
    await refuse(refused, env, retry);
    log("error", {
      msg: "DISPATCHER_URL or DISPATCHER_TOKEN is not set; retrying",
      delaySeconds,
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
    const reasons = new Map(outcome.rejected.map((r) => [r.index, r.reason]));
    for (const [index, { msg, event }] of forward.entries()) {
      const reason = reasons.get(index);
      if (reason === undefined) msg.ack();
      else refused.push({ msg, by: "dispatcher", reason, key: event.object.key, index });
    }
    await refuse(refused, env, retry);
    log("info", {
      msg: "delivered",
      status: outcome.status,
      accepted: forward.length - reasons.size,
      rejected: reasons.size,
      ...summary,
    });
  } else if (outcome.kind === "rejected") {
    const deadLettered = await refuse(refused, env, retry, forward.map(({ msg }) => msg));
    log("error", {
      msg: "dispatcher refused the batch for good; acked (recover with `watch --backfill`)",
      status: outcome.status,
      detail: outcome.detail,
      deadLettered,
      ...summary,
    });
  } else {
    const delaySeconds = retry(forward.map(({ msg }) => msg), outcome.retryAfterSeconds);
    await refuse(refused, env, retry);
    log("warn", {
      msg: "dispatcher unavailable; retrying",
      delaySeconds,
      status: outcome.status,
      detail: outcome.detail,
      ...summary,
    });
  }
}

/**
 * Acks the refused messages (each logged) and the messages of a batch refused whole, after
 * copying their bodies to the dead-letter queue when it is bound. When that copy fails they are
 * retried instead, so that nothing is dropped unrecorded. Resolves to whether they were copied.
 */
async function refuse(
  refused: readonly Refusal[],
  env: Env,
  retry: (messages: QueueMessage[]) => number,
  whole: readonly QueueMessage[] = [],
): Promise<boolean> {
  const messages = [...refused.map((r) => r.msg), ...whole];
  if (messages.length === 0) return false;
  const queue = env.DEAD_LETTER_QUEUE;
  if (queue) {
    try {
      await queue.sendBatch(messages.map((msg) => ({ body: msg.body })));
    } catch (err) {
      const delaySeconds = retry(messages);
      log("error", {
        msg: "could not copy refused events to the dead-letter queue; retrying",
        ids: messages.map((m) => m.id),
        detail: err instanceof Error ? err.message : String(err),
        delaySeconds,
      });
      return false;
    }
  }
  for (const r of refused) {
    log("warn", {
      msg: "event refused; acked",
      by: r.by,
      id: r.msg.id,
      ...(r.key !== undefined && { key: r.key }),
      ...(r.index !== undefined && { index: r.index }),
      reason: r.reason,
      deadLettered: queue !== undefined,
    });
  }
  for (const msg of messages) msg.ack();
  return queue !== undefined;
}

export default {
  async queue(batch: QueueMessageBatch, env: Env): Promise<void> {
    await handleBatch(batch, env);
  },
};
