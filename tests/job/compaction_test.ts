/**
 * Compaction without a person, at job level: tasks compact the output dataset's index once it
 * holds the job's `compactAt` fragments (a real job on the local executor, worker processes,
 * a local store), and a compaction that fails fails no task but is recorded in the task's
 * result and the job's status.
 *
 * @module
 */
import assert from "node:assert/strict";
import { scratchDir } from "../_scratch.ts";
import { LocalStore } from "../../lib/store/local_store.ts";
import type { PutBody, PutOptions, Store } from "../../lib/store/store.ts";
import { StoreError } from "../../lib/store/store_error.ts";
import { drainInProcessJobs, submit } from "../../lib/exec/mod.ts";
import { readIndex } from "../../lib/dataset/mod.ts";
import { formatStatus } from "../../cli/_jobs.ts";
import * as J from "./_jobs.ts";
import { writeItems, writeJob } from "./_fixtures.ts";
import { withDeadline } from "../_deadline.ts";

/** The shards of `dataset` that have a committed manifest, from a listing of the store. */
async function committedShards(store: Store, dataset: string): Promise<string[]> {
  const shards: string[] = [];
  for await (const { key } of store.list(`${dataset}/`)) {
    if (key.startsWith(`${dataset}/_index/`) || !key.endsWith(".manifest.json")) continue;
    shards.push(key.replace(/\.manifest\.json$/, ".tar"));
  }
  return shards.sort();
}

/** Fragment objects of `dataset`'s index, from a listing of the store. */
async function fragmentCount(store: Store, dataset: string): Promise<number> {
  let n = 0;
  for await (const _ of store.list(`${dataset}/_index/shards/`)) n++;
  return n;
}

Deno.test(
  "job tasks compact the output index past compactAt: a compacted generation, few fragments, " +
    "and the index lists exactly the committed outputs",
  withDeadline(300_000, async () => {
    const store = new LocalStore(await scratchDir({ prefix: "shardline-compact-job-" }));
    await writeItems(store, "raw", 10, 4);
    const job = await submit(store, {
      input: "raw",
      output: "out",
      job: await writeJob("identity", J.IDENTITY),
      compactAt: 3,
      // One task at a time, so that the counts below follow from the threshold alone.
      concurrency: 1,
      backendOptions: { keepAliveMs: 0 },
    });
    assert.equal(job.spec.policy.compact_at, 3);
    const res = await job.awaitResults();
    assert.equal(res.state, "completed");
    assert.equal(res.samples.out, 40);

    // Ten tasks, one output shard each, one at a time: the 3rd, 6th and 9th each find three
    // fragments and compact them (generations 1, 2, 3); the 10th leaves its own fragment.
    const index = await readIndex(store, "out");
    assert.equal(index.generation, 3);
    assert.equal(index.fragments, 1);
    assert.equal(await fragmentCount(store, "out"), 1);
    const listed = await committedShards(store, "out");
    assert.equal(listed.length, 10);
    assert.deepEqual(index.entries.map((e) => e.shard).sort(), listed);
    assert.deepEqual(res.status.outputs.map((o) => o.key).sort(), listed);
    assert.equal(res.status.warnings, undefined);
  }),
);

/** A local store that refuses every write into `<dataset>/_index/` but a fragment's. */
class RefusesCompaction extends LocalStore {
  readonly refused: string[] = [];
  constructor(root: string, readonly dataset: string) {
    super(root);
  }
  override put(key: string, body: PutBody, options?: PutOptions): Promise<void> {
    const index = `${this.dataset}/_index/`;
    if (key.startsWith(index) && !key.startsWith(`${index}shards/`)) {
      this.refused.push(key);
      return Promise.reject(
        new StoreError("io", `Cannot write "${key}": refused by the test`, { key }),
      );
    }
    return super.put(key, body, options);
  }
}

Deno.test(
  "a failed automatic compaction fails no task: a warning with dataset and code in the task " +
    "result and the job status; the outputs stay indexed by their fragments",
  withDeadline(300_000, async () => {
    const store = new RefusesCompaction(
      await scratchDir({ prefix: "shardline-compact-fail-" }),
      "out",
    );
    await writeItems(store, "raw", 3, 5);
    const job = await submit(store, {
      input: "raw",
      output: "out",
      job: await writeJob("identity", J.IDENTITY),
      compactAt: 2,
      concurrency: 1,
      // In this process, so that the tasks write through this store and its refusals.
      backendOptions: { inProcess: true },
    });
    const res = await job.awaitResults();
    await drainInProcessJobs();
    assert.equal(res.state, "completed");
    assert.equal(res.status.tasks.ok, 3);
    assert.ok(store.refused.length > 0, "the compactions tried to write");

    // The 2nd and 3rd tasks found 2 and 3 fragments: each tried, failed, and said so.
    const byTask = res.status.task_states.map((t) => [
      t.id,
      t.result!.status,
      (t.result!.warnings ?? []).map((w) => [w.stage, w.dataset, w.code]),
    ]);
    assert.deepEqual(byTask, [
      ["task-000000", "ok", []],
      ["task-000001", "ok", [["compact", "out", "io"]]],
      ["task-000002", "ok", [["compact", "out", "io"]]],
    ]);
    const warnings = res.status.warnings ?? [];
    assert.deepEqual(warnings.map((w) => w.task), ["task-000001", "task-000002"]);
    assert.match(warnings[0]!.message, /refused by the test/);
    const lines = formatStatus(res.status).filter((l) => l.trimStart().startsWith("warning"));
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /task-000001: compact of "out" failed \(io\): Cannot write/);

    // Nothing lost: no generation, every output indexed by its fragment.
    const index = await readIndex(store, "out");
    assert.equal(index.generation, 0);
    assert.equal(index.fragments, 3);
    const listed = await committedShards(store, "out");
    assert.equal(listed.length, 3);
    assert.deepEqual(index.entries.map((e) => e.shard).sort(), listed);
    assert.equal(res.samples.out, 15);
  }),
);
