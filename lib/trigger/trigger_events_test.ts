import assert from "node:assert/strict";
import { MemoryStore } from "../store/memory_store.ts";
import { StoreError } from "../store/store_error.ts";
import type { Store } from "../store/store.ts";
import { triggerEvents } from "./trigger_events.ts";
import { parseTriggerRule } from "./trigger_rule.ts";

const rule = parseTriggerRule({
  rule_version: 1,
  id: "copy",
  prefix: "raw/",
  suffix: ".tar",
  on: ["PutObject"],
  wait_for_manifest: false,
  job: { module: "job.ts", code: { hash: "a".repeat(64), key: "_code/a.js", size: 1 } },
  output: "copied",
  params: {},
  created_at: "2026-12-07T00:00:00Z",
});
const event = (key: string) => ({ action: "PutObject", bucket: "b", object: { key } });

Deno.test("triggerEvents throws (the dispatcher answers 500, the sender retries) when an event fails now", async () => {
  const memory = new MemoryStore();
  const down: Store = Object.assign(Object.create(memory), {
    head: (key: string) =>
      Promise.reject(new StoreError("io", `Cannot reach the store for "${key}"`, { key })),
  });
  const onEvents = triggerEvents({ rules: [rule] });
  await assert.rejects(
    onEvents([event("raw/shard-000001.tar"), event("other/x.tar")], { store: down }),
    /1 of 2 events could not be handled now \(deliver again\): raw\/shard-000001\.tar \(copy\): Cannot reach the store/,
  );
  // The same batch against a store that answers: nothing to fail, the answer lists what it did.
  const answer = await onEvents([event("raw/shard-000001.tar"), event("other/x.tar")], {
    store: memory,
  });
  assert.deepEqual(answer.counts, {
    submitted: 0,
    exists: 0,
    retracted: 0,
    ignored: 2,
    invalid: 0,
    failed: 0,
  });
  assert.equal(answer.outcomes[0]!.reason, "the shard is gone");
  assert.deepEqual(answer.jobs, []);
});

Deno.test("triggerEvents numbers outcomes by the events' positions in the posted batch", async () => {
  const onEvents = triggerEvents({ rules: [rule] });
  const events = [event("other/a.tar"), event("other/b.tar")];
  // The dispatcher held back the malformed events at 0 and 2: these came at 1 and 3.
  const held = await onEvents(events, { store: new MemoryStore(), positions: [1, 3] });
  assert.deepEqual(held.outcomes.map((o) => [o.index, o.key]), [[1, "other/a.tar"], [
    3,
    "other/b.tar",
  ]]);
  const plain = await onEvents(events, { store: new MemoryStore() });
  assert.deepEqual(plain.outcomes.map((o) => o.index), [0, 1]);
});
