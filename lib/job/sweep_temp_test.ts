import assert from "node:assert/strict";
import { LocalStore } from "../store/local_store.ts";
import { MemoryStore } from "../store/memory_store.ts";
import { fixtureSpec } from "./_test_fixtures.ts";
import { processAlive, sweepTaskTemp, taskPrefixes } from "./sweep_temp.ts";

Deno.test("taskPrefixes covers a task's parts, index entries and records", () => {
  const spec = fixtureSpec(1);
  const task = { ...spec.tasks[0]!, output_prefix: "out/shard-000000" };
  assert.deepEqual(taskPrefixes(spec, task), [
    "out/shard-000000-",
    "out/_index/shards/shard-000000-",
    "out/_index/removed/shard-000000-",
    `_jobs/${spec.id}/running/${task.id}.json`,
    `_jobs/${spec.id}/tasks/${task.id}.json`,
    `_jobs/${spec.id}/attempts/${task.id}/`,
  ]);
});

Deno.test("sweepTaskTemp removes a dead attempt's temp files only, and skips stores without", async () => {
  const root = await Deno.makeTempDir();
  try {
    const spec = fixtureSpec(2);
    const [t0, t1] = spec.tasks.map((t, i) => ({ ...t, output_prefix: `out/shard-00000${i}` }));
    const files = [
      "out/.shard-000000-001.tar.0123456789abcdef.tmp",
      "out/_index/shards/.shard-000000-000.json.0123456789abcdef.tmp",
      `_jobs/${spec.id}/running/.${t0!.id}.json.0123456789abcdef.tmp`,
      "out/.shard-000001-000.tar.0123456789abcdef.tmp", // another task's live put
    ];
    for (const f of files) {
      await Deno.mkdir(`${root}/${f.slice(0, f.lastIndexOf("/"))}`, { recursive: true });
      await Deno.writeTextFile(`${root}/${f}`, "partial");
    }
    const store = new LocalStore(root);
    assert.deepEqual(await sweepTaskTemp(store, spec, t0!), [], "fresh files stay by default");
    assert.deepEqual((await sweepTaskTemp(store, spec, t0!, 0)).sort(), files.slice(0, 3).sort());
    assert.deepEqual(await sweepTaskTemp(store, spec, t1!, 0), [files[3]]);
    assert.deepEqual(await sweepTaskTemp(new MemoryStore(), spec, t0!, 0), []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("processAlive tells a running process from an exited one", async () => {
  assert.equal(processAlive(Deno.pid), true);
  const child = new Deno.Command(Deno.execPath(), { args: ["eval", "0"] }).spawn();
  await child.status; // exited and reaped
  assert.equal(processAlive(child.pid), false);
});
