/**
 * End to end, up to Cloudflare's edge: a shard lands in the bucket (s3rver on 127.0.0.1), its R2
 * event notification goes on the queue, the event Worker (in miniflare: workerd, not Cloudflare)
 * forwards it to the real dispatcher (`deno task cli serve`, a subprocess), whose trigger rules
 * make a job that the local executor runs, and the output manifest appears in the bucket.
 * Miniflare does not turn bucket writes into notifications: the test enqueues the documented
 * message itself, with the ETag it computes from the bytes it wrote (MD5, as S3 and R2 give
 * for a single-part upload).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { openStore } from "../../lib/store/open_store.ts";
import type { Store } from "../../lib/store/store.ts";
import { addTrigger } from "../../lib/trigger/mod.ts";
import { listJobs } from "../../lib/job/mod.ts";
import { s3StoreOptions, startS3rver } from "../_s3rver.ts";
import { startServe } from "../server/_serve.ts";
import { writeItems, writeJob } from "../job/_fixtures.ts";
import * as J from "../job/_jobs.ts";
import { countSamples } from "../trigger/_triggers.ts";
import { type EventWorker, r2Event, startEventWorker, waitUntil } from "./_event_worker.ts";

const TOKEN = "e2e-dispatcher-token";
const opts = { sanitizeOps: false, sanitizeResources: false };

/** A bucket with a store under `data/`, a trigger rule, and the dispatcher serving it. */
async function setup() {
  const s3 = await startS3rver("events-bucket");
  const storeOptions = s3StoreOptions(s3);
  const storeUrl = `s3://${s3.bucket}/data`;
  const store = await openStore(storeUrl, storeOptions);
  await addTrigger(store, {
    id: "copy",
    prefix: "raw/",
    job: await writeJob("identity", J.IDENTITY),
    output: "copied",
  });
  const serveArgs = [
    "--store",
    storeUrl,
    "--endpoint",
    s3.endpoint,
    "--backend-options",
    JSON.stringify({ keepAliveMs: 0 }),
  ];
  const serveEnv = {
    SHARDLINE_TOKEN: TOKEN,
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
  };
  let server = await startServe(serveArgs, serveEnv);
  const port = new URL(server.url).port;
  return {
    s3,
    store,
    get server() {
      return server;
    },
    /** Stops the dispatcher. */
    stop: () => server.close(),
    /** Starts it again on the same port. */
    async restart() {
      server = await startServe([...serveArgs, "--port", port], serveEnv);
    },
    async close() {
      await server.close().catch(() => {});
      await store.close?.();
      await s3.close();
    },
  };
}

/** Writes a shard of `n` items at `raw/shard-000000.tar` (and more) and returns its event. */
async function upload(store: Store, bucket: string, shard: number, n: number) {
  // writeItems names shards from 000000: write under a scratch prefix, then put the bytes.
  const [key] = await writeItems(store, `scratch-${shard}-${n}`, 1, n);
  const bytes = await store.get(key!);
  const target = `raw/shard-${String(shard).padStart(6, "0")}.tar`;
  await store.put(target, bytes);
  await store.delete(key!);
  const eTag = createHash("md5").update(bytes).digest("hex");
  return r2Event(`data/${target}`, { bucket, eTag, size: bytes.byteLength });
}

/** The output manifests of `shard` under `copied/`, once `count` of them are there. */
function outputManifests(store: Store, shard: string, count: number): Promise<string[]> {
  return waitUntil(`${count} output manifest(s) of ${shard}`, async () => {
    const keys: string[] = [];
    for await (const { key } of store.list(`copied/${shard}-`)) {
      if (key.endsWith(".manifest.json")) keys.push(key);
    }
    return keys.length >= count ? keys.sort() : undefined;
  }, 120_000);
}

const delivered = (w: EventWorker) => w.logs.filter((l) => l.msg === "delivered").length;

type Env = Awaited<ReturnType<typeof setup>>;

/** Runs `body` with the bucket, the dispatcher and a Worker posting to it; cleans up after. */
async function withWorker(
  options: Omit<Parameters<typeof startEventWorker>[0], "dispatcherUrl">,
  body: (env: Env, worker: EventWorker) => Promise<void>,
): Promise<void> {
  const env = await setup();
  let worker: EventWorker | undefined;
  try {
    worker = await startEventWorker({ dispatcherUrl: env.server.url, ...options });
    await body(env, worker);
  } finally {
    await worker?.close();
    await env.close();
  }
}

Deno.test({
  name: "e2e: event -> Worker -> dispatcher -> job -> output manifest; duplicates give one " +
    "output, a re-upload (new ETag) a second",
  ...opts,
  fn: () =>
    withWorker({
      token: TOKEN,
      vars: { EVENT_PREFIXES: ["data/raw/"], EVENT_SUFFIXES: [".tar"] },
    }, async (env, worker) => {
      const ev = await upload(env.store, env.s3.bucket, 0, 10);
      // At-least-once delivery: the same notification twice in one batch, then once more.
      await worker.send(ev, ev);
      const [first] = await outputManifests(env.store, "shard-000000", 1);
      const header = JSON.parse(new TextDecoder().decode(await env.store.get(first!)));
      assert.equal(header.num_samples, 10);
      assert.equal(await countSamples(env.store, first!.replace(".manifest.json", ".tar")), 10);
      const seen = delivered(worker);
      await worker.send(ev);
      await waitUntil("the repeated delivery", () => delivered(worker) > seen || undefined);
      // The dispatcher answers after recording the job: by now every job it made is listed.
      const jobs = (await listJobs(env.store)).filter((j) => j.id.startsWith("t-"));
      assert.equal(jobs.length, 1, "one job for one shard version");
      assert.equal((await outputManifests(env.store, "shard-000000", 1)).length, 1);

      // Re-uploaded with other content: a new ETag, a new job, a second output.
      const again = await upload(env.store, env.s3.bucket, 0, 7);
      assert.notEqual(
        (again.object as { eTag: string }).eTag,
        (ev.object as { eTag: string }).eTag,
      );
      await worker.send(again);
      const both = await outputManifests(env.store, "shard-000000", 2);
      const counts = await Promise.all(
        both.map(async (k) =>
          JSON.parse(new TextDecoder().decode(await env.store.get(k))).num_samples
        ),
      );
      assert.deepEqual(counts.sort((a, b) => a - b), [7, 10]);
      const log = env.server.log();
      assert.ok(!log.includes(TOKEN), "the token is not in the dispatcher's log");
    }),
});

Deno.test({
  name: "e2e: a batch with one malformed event and two valid ones: jobs and outputs for the " +
    "valid two; the malformed one is reported (207), logged and dead-lettered, not retried",
  ...opts,
  fn: () =>
    withWorker({
      token: TOKEN,
      maxRetries: 0, // a message retried would go to the dead-letter queue at once, and show
      vars: { EVENT_PREFIXES: ["data/raw/"], EVENT_SUFFIXES: [".tar"] },
    }, async (env, worker) => {
      const first = await upload(env.store, env.s3.bucket, 10, 4);
      const second = await upload(env.store, env.s3.bucket, 12, 6);
      // A real shard, but its event is malformed (R2 sends ISO 8601 times): the Worker's own
      // check passes it, the dispatcher's schema does not.
      const malformed = {
        ...await upload(env.store, env.s3.bucket, 11, 5),
        eventTime: "yesterday",
      };
      await worker.send(first, malformed, second);
      const answered = await waitUntil(
        "the dispatcher's answer",
        () =>
          worker.logs.find((l) =>
            l.msg === "delivered" || String(l.msg).startsWith("dispatcher refused")
          ),
      );
      assert.equal(answered.msg, "delivered", JSON.stringify(answered));
      assert.deepEqual([answered.status, answered.accepted, answered.rejected], [207, 2, 1]);

      const [out10] = await outputManifests(env.store, "shard-000010", 1);
      const [out12] = await outputManifests(env.store, "shard-000012", 1);
      const samples = async (k: string) =>
        JSON.parse(new TextDecoder().decode(await env.store.get(k))).num_samples;
      assert.deepEqual([await samples(out10!), await samples(out12!)], [4, 6]);
      // The dispatcher answers after recording the jobs: by now every job it made is listed.
      const jobs = (await listJobs(env.store)).filter((j) => j.id.startsWith("t-"));
      assert.equal(jobs.length, 2, "one job for each valid event, none for the malformed one");
      const outputs: string[] = [];
      for await (const { key } of env.store.list("copied/")) outputs.push(key);
      assert.ok(!outputs.some((k) => k.includes("shard-000011")), outputs.join());

      const refused = worker.logs.filter((l) => l.msg === "event refused; acked");
      assert.equal(refused.length, 1);
      assert.equal(refused[0]!.by, "dispatcher");
      assert.equal(refused[0]!.key, "data/raw/shard-000011.tar");
      assert.equal(refused[0]!.index, 1);
      assert.match(String(refused[0]!.reason), /^eventTime: /);
      await worker.sendToDeadLetter({ sentinel: true });
      const dead = await waitUntil("the sentinel", () => {
        const at = worker.deadLetters.findIndex((d) => (d.body as { sentinel?: true }).sentinel);
        return at < 0 ? undefined : worker.deadLetters.slice(0, at);
      });
      assert.deepEqual(dead.map((d) => d.body), [malformed], "only the malformed one, once");
      assert.match(env.server.log(), /"path":"\/events","status":207/);
    }),
});

Deno.test({
  name: "e2e: with the dispatcher down the event is retried and delivered once it is back; " +
    "one that keeps failing lands in the dead-letter queue",
  ...opts,
  fn: () =>
    withWorker({ token: TOKEN, maxRetries: 3 }, async (env, worker) => {
      await env.stop();
      const ev = await upload(env.store, env.s3.bucket, 1, 5);
      await worker.send(ev);
      const failure = await waitUntil(
        "a failed delivery",
        () => worker.logs.find((l) => l.msg === "dispatcher unavailable; retrying"),
      );
      assert.match(String(failure.detail), /^network:/);
      await env.restart();
      const [out] = await outputManifests(env.store, "shard-000001", 1);
      assert.ok(out);
      assert.equal(worker.deadLetters.length, 0);

      // Down for good: 1 + max_retries deliveries, then the dead-letter queue.
      await env.stop();
      const lost = await upload(env.store, env.s3.bucket, 2, 3);
      await worker.send(lost);
      const dead = await waitUntil("a dead letter", () => worker.deadLetters[0], 60_000);
      assert.deepEqual(dead.body, lost);
      const tries = worker.logs.filter((l) =>
        l.msg === "dispatcher unavailable; retrying" &&
        (l.keys as string[]).includes("data/raw/shard-000002.tar")
      );
      assert.deepEqual(tries.map((l) => l.attempts), [1, 2, 3, 4]);
    }),
});

Deno.test({
  name: "e2e: the dispatcher refuses a Worker with a wrong token (401); no job is made",
  ...opts,
  fn: () =>
    withWorker({ token: "not-the-token", maxRetries: 0 }, async (env, worker) => {
      await worker.send(await upload(env.store, env.s3.bucket, 3, 2));
      const refused = await waitUntil(
        "the refusal",
        () => worker.logs.find((l) => String(l.msg).startsWith("dispatcher refused")),
      );
      assert.equal(refused.status, 401);
      assert.match(String(refused.detail), /unauthorized/);
      assert.deepEqual((await listJobs(env.store)).map((j) => j.id), []);
      assert.match(env.server.log(), /"path":"\/events","status":401/);
    }),
});
