/**
 * {@linkcode triggerEvents}: the dispatcher's `POST /events` hook (`onEvents`) that runs the
 * store's trigger rules on each batch ({@linkcode handleEvents}) and answers with what became
 * of every event; when any event could not be handled now it throws, so the dispatcher answers
 * 500 and the sender (the Worker, the queue) delivers the batch again, which finds the jobs
 * already made. Each outcome's `index` is the event's position in the posted batch (the
 * dispatcher passes `positions` when it held back malformed events).
 *
 * @module
 */
import type { Store } from "../store/store.ts";
import {
  handleEvents,
  type HandleEventsOptions,
  type HandleEventsResult,
} from "./handle_events.ts";

/** What the hook answers (merged into the dispatcher's 202 body). */
export interface TriggerEventsAnswer extends Record<string, unknown> {
  counts: HandleEventsResult["counts"];
  /** The jobs the batch made or found, once each. */
  jobs: string[];
  outcomes: HandleEventsResult["outcomes"];
}

/**
 * Makes the `onEvents` hook of `createDispatcher` (lib/server) that applies trigger rules.
 *
 * @example
 * ```ts
 * import { triggerEvents } from "./trigger_events.ts";
 * import { MemoryStore } from "../store/memory_store.ts";
 * const onEvents = triggerEvents({ backend: "local" });
 * const answer = await onEvents([{ action: "PutObject", bucket: "b", object: { key: "a.tar" } }],
 *   { store: new MemoryStore() });
 * if (answer.counts.ignored !== 1 || answer.outcomes[0]!.reason !== "no trigger rules") {
 *   throw new Error();
 * }
 * ```
 */
export function triggerEvents(
  options: HandleEventsOptions = {},
): (
  events: readonly unknown[],
  context: { store: Store; positions?: readonly number[] },
) => Promise<TriggerEventsAnswer> {
  return async (events, { store, positions }) => {
    const handled = await handleEvents(store, events, options);
    const { counts } = handled;
    const outcomes = positions
      ? handled.outcomes.map((o) => ({ ...o, index: positions[o.index] ?? o.index }))
      : handled.outcomes;
    if (counts.failed > 0) {
      const failed = outcomes.filter((o) => o.outcome === "failed");
      throw new Error(
        `${failed.length} of ${events.length} events could not be handled now (deliver again): ` +
          failed.slice(0, 3).map((o) => `${o.key} (${o.rule}): ${o.reason}`).join("; "),
      );
    }
    const jobs = [...new Set(outcomes.flatMap((o) => (o.job ? [o.job] : [])))];
    return { counts, jobs, outcomes };
  };
}
