/**
 * Load on the dispatcher (127.0.0.1 only, a bounded number of requests): fifty identical job
 * submissions at once over HTTP, spread over two dispatcher processes serving one store, give
 * one job, one executor, and each sample processed once; `/health` keeps answering meanwhile.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { openStore } from "../../lib/store/open_store.ts";
import { bundleJob } from "../../lib/job/bundle_job.ts";
import {
  codeKey,
  jobKeys,
  type SupervisorMarker,
  type TaskResult,
} from "../../lib/job/job_spec.ts";
import { awaitResults } from "../../lib/job/await_results.ts";
import { readJson } from "../../lib/job/job_records.ts";
import { until, writeItems, writeJob } from "../job/_fixtures.ts";
import { startServe } from "./_serve.ts";

const TOKEN = "load-test-token";
const SUBMISSIONS = 50;

/** Appends each sample's id to `<dir>/seen.log`: one line per execution of the map. */
const COUNTING = `
import { Item, defineJob } from "./schemas.ts";
export default defineJob({
  name: "counting", version: "1.0.0", input: Item, params: { dir: "" },
  map(s, ctx) {
    Deno.writeTextFileSync(ctx.params.dir + "/seen.log", s.id + "\\n", { append: true });
    return s;
  },
});
`;

Deno.test({
  name: "50 identical submissions over HTTP give one job whose samples run once; /health answers",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "shardline-load-" });
    const storePath = join(dir, "store");
    const store = await openStore(storePath);
    const args = ["--store", storePath, "--backend-options", JSON.stringify({ keepAliveMs: 0 })];
    const servers = await Promise.all(
      [0, 1].map(() => startServe(args, { SHARDLINE_TOKEN: TOKEN })),
    );
    let module = "";
    try {
      await writeItems(store, "raw", 4, 10);
      module = await writeJob("counting", COUNTING);
      // What submit({ backend: "http" }) does first: the bundle goes to the store.
      const bundled = await bundleJob(module);
      await store.put(codeKey(bundled.hash), bundled.code);
      const body = JSON.stringify({
        code: { hash: bundled.hash },
        input: "raw",
        output: "counted",
        params: { dir },
      });

      let posting = true;
      const health: { status: number; duringPosts: boolean }[] = [];
      const probe = (async () => {
        // Bounded: at most 2000 probes, sequential, whatever happens to the posts.
        for (let i = 0; i < 2000 && posting; i++) {
          const res = await fetch(`${servers[i % 2]!.url}/health`);
          await res.body?.cancel();
          health.push({ status: res.status, duringPosts: posting });
        }
      })();
      const answers = await Promise.all(
        Array.from({ length: SUBMISSIONS }, async (_, i) => {
          const res = await fetch(`${servers[i % 2]!.url}/jobs`, {
            method: "POST",
            headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
            body,
          });
          return { status: res.status, body: await res.json() };
        }),
      );
      posting = false;
      await probe;

      assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([202]));
      const ids = new Set(answers.map((a) => a.body.id));
      assert.equal(ids.size, 1, "one job");
      const [id] = ids;
      assert.equal(answers.filter((a) => a.body.created).length, 1, "created once");
      assert.equal(answers.filter((a) => a.body.started).length, 1, "started once");
      assert.ok(health.some((h) => h.duringPosts), "health answered while the posts went on");
      assert.ok(health.every((h) => h.status === 200));

      const res = await awaitResults(store, id!, { timeout: 120_000 });
      assert.equal(res.state, "completed");
      assert.equal(res.samples.out, 40);
      await until(async () =>
        (await readJson<SupervisorMarker>(store, jobKeys(id!).supervisor))?.finished_at
      );
      // Each sample once; each task in one attempt; one executor start claimed.
      const seen = (await Deno.readTextFile(join(dir, "seen.log"))).trim().split("\n");
      assert.deepEqual(seen.map(Number).sort((a, b) => a - b), [...Array(40).keys()]);
      for (let t = 0; t < 4; t++) {
        const r = await readJson<TaskResult>(store, jobKeys(id!).task(`task-00000${t}`));
        assert.equal(r?.attempt, 1);
      }
      const starts: string[] = [];
      for await (const info of store.list(`${jobKeys(id!).dir}/starts/`)) starts.push(info.key);
      assert.equal(starts.length, 1, starts.join());
    } finally {
      await Promise.all(servers.map((s) => s.close()));
      await store.close?.();
      if (module) await Deno.remove(join(module, ".."), { recursive: true });
      await Deno.remove(dir, { recursive: true });
    }
  },
});
