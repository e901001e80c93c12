/**
 * Triggers: new shards processed on arrival. A trigger rule (`_triggers/<id>.json`) says which
 * shards to process (prefix, suffix, R2 actions, whether to wait for the shard's manifest) with
 * which job (its bundled code), into which output, with which params. Two paths feed it:
 *
 * - push: R2 event notifications -> Queue -> the Worker in `worker/` -> the dispatcher's
 *   `POST /events` -> {@linkcode handleEvents};
 * - pull: {@linkcode watchTriggers} lists what arrived since a checkpoint kept in the store (or
 *   a whole prefix: backfill) and submits it by the same rules.
 *
 * Both make the same job of the same shard version ({@linkcode triggerJobId}: bucket, key,
 * ETag, rule), an ordinary job over one input shard, recorded and started like `submit`'s. A
 * repeated event or a second listing finds the job and writes nothing twice; a re-uploaded
 * shard (new ETag) is processed again into a new output shard.
 *
 * ```ts ignore
 * import { addTrigger, handleEvents, watchTriggers } from "./mod.ts";
 * await addTrigger(store, { id: "score", prefix: "raw/", job: "./score.ts", output: "scored" });
 * await handleEvents(store, events);            // what POST /events does
 * await watchTriggers(store, { backfill: true }); // what `deno task cli watch --backfill` does
 * ```
 *
 * @module
 */
export { TriggerError, type TriggerErrorCode } from "./trigger_error.ts";
export {
  CREATE_ACTIONS,
  DELETE_ACTIONS,
  parseTriggerRule,
  triggerKey,
  type TriggerRule,
} from "./trigger_rule.ts";
export {
  addTrigger,
  type AddTriggerOptions,
  listTriggers,
  putTrigger,
  readTrigger,
  removeTrigger,
  type StoredTriggerInit,
  type TriggerInit,
} from "./trigger_registry.ts";
export { matchRule, type RuleMatch, SHARD_EXTENSIONS } from "./match_rule.ts";
export {
  objectVersion,
  type ShardVersion,
  submitTriggerJob,
  type SubmitTriggerJobOptions,
  triggerJobId,
} from "./trigger_job.ts";
export {
  type EventOutcome,
  handleEvents,
  type HandleEventsOptions,
  type HandleEventsResult,
  type R2Event,
} from "./handle_events.ts";
export { retractOutputs } from "./retract_outputs.ts";
export {
  checkpointKey,
  type WatchRuleResult,
  watchTriggers,
  type WatchTriggersOptions,
} from "./watch_triggers.ts";
export { triggerEvents, type TriggerEventsAnswer } from "./trigger_events.ts";
