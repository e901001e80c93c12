/**
 * Trigger rules end to end against a local store and the local executor: events make jobs, a
 * repeated event finds the same job (one output), a re-upload makes a new one, manifests gate
 * shards when the rule says so, deletions retract outputs only when a rule asks, and the pull
 * path (watch, backfill) submits by the same rules with a checkpoint in the store.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { LocalStore } from "../../lib/store/local_store.ts";
import { awaitResults, jobKeys, type JobSpec } from "../../lib/job/mod.ts";
import {
  addTrigger,
  checkpointKey,
  handleEvents,
  listTriggers,
  removeTrigger,
  TriggerError,
  watchTriggers,
} from "../../lib/trigger/mod.ts";
import { readIndex, writeShards } from "../../mod.ts";
import { Item, writeItems, writeJob } from "../job/_fixtures.ts";
import * as J from "../job/_jobs.ts";
import { countSamples, event, NO_AGENT, tarsUnder } from "./_triggers.ts";

async function fixture() {
  const root = await Deno.makeTempDir({ prefix: "shardline-trigger-test-" });
  const store = new LocalStore(root);
  const job = await writeJob("identity", J.IDENTITY);
  return {
    root,
    store,
    job,
    async [Symbol.asyncDispose]() {
      await Deno.remove(root, { recursive: true }).catch(() => {});
    },
  };
}

async function finish(store: LocalStore, ids: (string | undefined)[]) {
  for (const id of new Set(ids)) {
    if (id) assert.equal((await awaitResults(store, id, { timeout: 120_000 })).state, "completed");
  }
}

Deno.test("an event makes one job; repeated deliveries find it and write one output", async () => {
  await using f = await fixture();
  await writeItems(f.store, "raw", 2, 10);
  await addTrigger(f.store, { id: "copy", prefix: "raw/", job: f.job, output: "copied" });
  const ev = event("raw/shard-000000.tar");
  const first = await handleEvents(f.store, [ev, ev], NO_AGENT);
  assert.deepEqual(first.outcomes.map((o) => o.outcome), ["submitted", "exists"]);
  const id = first.outcomes[0]!.job!;
  assert.equal(first.outcomes[1]!.job, id);
  assert.match(id, /^t-[0-9a-f]{20}$/);
  await finish(f.store, [id]);
  // Delivered again after the job is done: the same job, nothing new.
  const again = await handleEvents(f.store, [ev], NO_AGENT);
  assert.deepEqual(again.outcomes.map((o) => [o.outcome, o.job]), [["exists", id]]);
  const outputs = await tarsUnder(f.store, "copied");
  assert.equal(outputs.length, 1);
  assert.match(outputs[0]!, /^copied\/shard-000000-[0-9a-f]{8}-000\.tar$/);
  assert.equal(await countSamples(f.store, outputs[0]!), 10);
  const spec = JSON.parse(await Deno.readTextFile(join(f.root, jobKeys(id).spec))) as JobSpec;
  assert.equal(spec.trigger?.rule, "copy");
  assert.equal(spec.trigger?.key, "raw/shard-000000.tar");
  assert.deepEqual(spec.input.shards.map((s) => s.key), ["raw/shard-000000.tar"]);
});

Deno.test("a re-uploaded shard (new version) is processed again into a second output", async () => {
  await using f = await fixture();
  await writeItems(f.store, "raw", 1, 10);
  await addTrigger(f.store, { id: "copy", prefix: "raw/", job: f.job, output: "copied" });
  const a = await handleEvents(f.store, [event("raw/shard-000000.tar")], NO_AGENT);
  await finish(f.store, [a.outcomes[0]!.job]);
  await writeItems(f.store, "raw", 1, 7); // same key, new content
  const b = await handleEvents(f.store, [event("raw/shard-000000.tar")], NO_AGENT);
  assert.equal(b.outcomes[0]!.outcome, "submitted");
  assert.notEqual(b.outcomes[0]!.job, a.outcomes[0]!.job);
  await finish(f.store, [b.outcomes[0]!.job]);
  const outputs = await tarsUnder(f.store, "copied");
  assert.equal(outputs.length, 2);
  const counts = await Promise.all(outputs.map((k) => countSamples(f.store, k)));
  assert.deepEqual(counts.sort((x, y) => x - y), [7, 10]);
});

Deno.test("events that match no rule, private folders and the rule's own output are ignored", async () => {
  await using f = await fixture();
  await writeItems(f.store, "raw", 1, 3);
  await addTrigger(f.store, { id: "copy", prefix: "", job: f.job, output: "copied" });
  const { outcomes, counts } = await handleEvents(f.store, [
    event("raw/notes.txt"),
    event("raw/_index/shards/shard-000000.tar"),
    event("copied/shard-000000-0123abcd-000.tar"),
    event("raw/shard-000000.tar", "DeleteObject"),
    event("raw/gone.tar"),
    { hello: "world" },
  ], NO_AGENT);
  assert.deepEqual(outcomes.map((o) => o.outcome), [
    "ignored",
    "ignored",
    "ignored",
    "ignored",
    "ignored",
    "invalid",
  ]);
  assert.match(outcomes[1]!.reason!, /_-folder/);
  assert.match(outcomes[2]!.reason!, /own output/);
  assert.match(outcomes[3]!.reason!, /deletion/);
  assert.match(outcomes[4]!.reason!, /gone/);
  assert.equal(counts.submitted, 0);
  assert.deepEqual(await tarsUnder(f.store, "copied"), []);
});

Deno.test("waitForManifest: the shard's event waits, its manifest's event runs it", async () => {
  await using f = await fixture();
  await addTrigger(f.store, {
    id: "gated",
    prefix: "raw/",
    job: f.job,
    output: "gated",
    waitForManifest: true,
  });
  // A half-uploaded shard: the tar is there, its manifest is not.
  await writeItems(f.store, "raw", 1, 4);
  const early = await handleEvents(f.store, [
    event("raw/shard-000000.tar"),
    event("raw/shard-000000.manifest.json"),
  ], NO_AGENT);
  assert.deepEqual(early.outcomes.map((o) => o.outcome), ["ignored", "ignored"]);
  assert.match(early.outcomes[0]!.reason!, /waits for the shard's manifest/);
  assert.match(early.outcomes[1]!.reason!, /manifest is gone/);
  // Committed with a manifest: its manifest's event starts the job.
  const items = Array.from({ length: 6 }, (_, i) => ({
    __key__: `item-${i}`,
    id: i,
    text: `t${i}`,
    score: i / 10,
  }));
  await writeShards(f.store, "raw/shard-%06d.tar", items, { schema: Item, maxcount: 100 });
  const later = await handleEvents(f.store, [event("raw/shard-000000.manifest.json")], NO_AGENT);
  assert.equal(later.outcomes[0]!.outcome, "submitted");
  assert.equal(later.outcomes[0]!.shard, "raw/shard-000000.tar");
  await finish(f.store, [later.outcomes[0]!.job]);
  const outputs = await tarsUnder(f.store, "gated");
  assert.equal(outputs.length, 1);
  assert.equal(await countSamples(f.store, outputs[0]!), 6);
  // The tar rewritten after its manifest is not committed by that manifest.
  const future = new Date(Date.now() + 60_000);
  await Deno.utime(join(f.root, "raw/shard-000000.tar"), future, future);
  const stale = await handleEvents(f.store, [event("raw/shard-000000.manifest.json")], NO_AGENT);
  assert.match(stale.outcomes[0]!.reason!, /newer than its manifest/);
});

Deno.test("deletions are ignored unless a rule asks; then the shard's outputs are retracted", async () => {
  await using f = await fixture();
  await writeItems(f.store, "raw", 2, 5);
  await addTrigger(f.store, { id: "copy", prefix: "raw/", job: f.job, output: "copied" });
  await addTrigger(f.store, {
    id: "mirror",
    prefix: "raw/",
    job: f.job,
    output: "mirrored",
    on: ["PutObject", "DeleteObject"],
  });
  const made = await handleEvents(f.store, [
    event("raw/shard-000000.tar"),
    event("raw/shard-000001.tar"),
  ], NO_AGENT);
  assert.equal(made.counts.submitted, 4);
  await finish(f.store, made.outcomes.map((o) => o.job));
  await Deno.remove(join(f.root, "raw/shard-000000.tar"));
  const del = await handleEvents(f.store, [event("raw/shard-000000.tar", "DeleteObject")]);
  assert.deepEqual(del.outcomes.map((o) => [o.rule, o.outcome]), [["mirror", "retracted"]]);
  // "copy" keeps both outputs; "mirror" keeps the output of shard-000001 only.
  assert.equal((await tarsUnder(f.store, "copied")).length, 2);
  const mirrored = await tarsUnder(f.store, "mirrored");
  assert.equal(mirrored.length, 1);
  assert.match(mirrored[0]!, /^mirrored\/shard-000001-/);
  const index = await readIndex(f.store, "mirrored");
  assert.deepEqual(index.entries.map((e) => e.shard), mirrored);
});

Deno.test("watch submits what arrived since its checkpoint; backfill takes the whole prefix", async () => {
  await using f = await fixture();
  await writeItems(f.store, "raw", 2, 3);
  // Distinct modification times (two writes can share a millisecond).
  const t0 = Date.now() - 60_000;
  for (const [i, t] of [t0, t0 + 1000].entries()) {
    await Deno.utime(join(f.root, `raw/shard-00000${i}.tar`), new Date(t), new Date(t));
  }
  await addTrigger(f.store, { id: "copy", prefix: "raw/", job: f.job, output: "copied" });
  // One shard came through an event first: the watch finds the same job for it.
  const pushed = await handleEvents(f.store, [event("raw/shard-000000.tar")], NO_AGENT);
  const opts = { ...NO_AGENT, overlapMs: 0 };
  const [w1] = await watchTriggers(f.store, opts);
  assert.deepEqual([w1!.taken, w1!.submitted, w1!.existing], [2, 1, 1]);
  assert.equal(w1!.checkpoint, new Date(t0 + 1000).toISOString());
  assert.ok(await f.store.head(checkpointKey("copy")));
  // A new shard, modified after the checkpoint.
  await writeItems(f.store, "more", 1, 2);
  const later = new Date(Date.parse(w1!.checkpoint!) + 5_000);
  await Deno.rename(join(f.root, "more/shard-000000.tar"), join(f.root, "raw/shard-000002.tar"));
  await Deno.utime(join(f.root, "raw/shard-000002.tar"), later, later);
  const [w2] = await watchTriggers(f.store, opts);
  // Taken: the new shard, and the one at the checkpoint's time (taken again: same job).
  assert.deepEqual([w2!.candidates, w2!.taken, w2!.submitted, w2!.existing], [3, 2, 1, 1]);
  assert.equal(w2!.checkpoint, later.toISOString());
  const [w3] = await watchTriggers(f.store, { ...opts, backfill: true });
  assert.deepEqual([w3!.taken, w3!.submitted, w3!.existing], [3, 0, 3]);
  await finish(f.store, [...pushed.outcomes, ...w1!.outcomes, ...w2!.outcomes].map((o) => o.job));
  const outputs = await tarsUnder(f.store, "copied");
  assert.equal(outputs.length, 3);
});

Deno.test("trigger rules: add, ls, rm, and the mistakes they refuse", async () => {
  await using f = await fixture();
  const rule = await addTrigger(f.store, {
    id: "copy",
    prefix: "raw/",
    job: f.job,
    output: "copied",
    params: { k: 1 },
  });
  assert.match(rule.job.code.key, /^_code\/[0-9a-f]{64}\.js$/);
  assert.ok(await f.store.head(rule.job.code.key), "the bundled code is stored");
  const exists = await addTrigger(f.store, { id: "copy", job: f.job, output: "x" }).catch((e) => e);
  assert.ok(exists instanceof TriggerError && exists.code === "exists");
  const loop = await addTrigger(f.store, {
    id: "loop",
    prefix: "raw/",
    job: f.job,
    output: "raw/out",
  })
    .catch((e) => e);
  assert.ok(loop instanceof TriggerError && loop.code === "invalid_rule");
  const badId = await addTrigger(f.store, { id: "Bad Id", job: f.job, output: "x" }).catch((e) =>
    e
  );
  assert.ok(badId instanceof TriggerError && badId.code === "invalid_rule");
  assert.match(badId.message, /^Invalid trigger rule "Bad Id": id:/);
  assert.deepEqual((await listTriggers(f.store)).map((r) => [r.id, r.params]), [["copy", {
    k: 1,
  }]]);
  await removeTrigger(f.store, "copy");
  assert.deepEqual(await listTriggers(f.store), []);
  const gone = await removeTrigger(f.store, "copy").catch((e) => e);
  assert.ok(gone instanceof TriggerError && gone.code === "not_found");
});
