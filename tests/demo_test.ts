/**
 * The README's main-job command, end to end: `scripts/demo.ts` writes a dataset, submits the
 * scoring job to the local executor, waits, and summarizes; a second run is the same job and
 * does no work; the output verifies against its manifests.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { scratchDir } from "./_scratch.ts";
import { datasetStats, openStore, readIndex, verifyDataset } from "../mod.ts";
import { withDeadline } from "./_deadline.ts";

async function demo(storeDir: string): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "scripts/demo.ts",
      "--store",
      storeDir,
      "--shards",
      "3",
      "--per-shard",
      "40",
    ],
    cwd: new URL("..", import.meta.url),
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.ok(out.success, `demo failed:\n${text}\n${new TextDecoder().decode(out.stderr)}`);
  return text;
}

/** Every file under `dirs` of `root`, with its size and modification time. */
async function files(root: string, dirs: string[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for await (const e of Deno.readDir(join(root, dir))) {
      const path = join(dir, e.name);
      if (e.isDirectory) await walk(path);
      else {
        const s = await Deno.stat(join(root, path));
        out.push(`${path} ${s.size} ${s.mtime?.getTime()}`);
      }
    }
  };
  for (const d of dirs) await walk(d);
  return out.sort();
}

Deno.test(
  "demo runs the whole local flow, and a rerun is the same job with no work",
  withDeadline(300_000, async () => {
    const dir = await scratchDir({ prefix: "shardline-demo-" }); // removed at unload
    const first = await demo(dir);
    assert.match(first, /wrote raw\/images: 3 shards, 120 samples/);
    const id = /job (j-[0-9a-f]+) submitted/.exec(first)?.[1];
    assert.ok(id, first);
    const done = /job completed: 120 samples in, (\d+) out, (\d+) skipped, 0 failed/.exec(first);
    assert.ok(done, first);
    const [out, skipped] = [Number(done[1]), Number(done[2])];
    assert.equal(out + skipped, 120);

    const store = await openStore(dir);
    const stats = await datasetStats(store, "scored/images");
    assert.equal(stats.num_samples, out);
    assert.equal((await readIndex(store, "scored/images")).entries.length, 3);
    const report = await verifyDataset(store, "scored/images");
    assert.ok(report.ok, JSON.stringify(report.problems));
    const tasks = [];
    for await (const o of store.list(`_jobs/${id}/tasks/`)) tasks.push(o.key);
    assert.equal(tasks.length, 3);
    const before = await files(dir, ["scored", `_jobs/${id}/tasks`]);

    const second = await demo(dir);
    assert.match(second, /raw\/images: 3 shards already in/);
    assert.match(second, new RegExp(`job ${id} already submitted`));
    const again = [];
    for await (const o of store.list(`_jobs/${id}/tasks/`)) again.push(o.key);
    assert.deepEqual(again, tasks);
    // No work: no output shard, manifest or task result was written again (a task that ran
    // again would rewrite its shards under the same names, with the same keys).
    assert.deepEqual(await files(dir, ["scored", `_jobs/${id}/tasks`]), before);
  }),
);
