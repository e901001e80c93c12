/**
 * The event Worker in miniflare (workerd, Cloudflare's runtime; not Cloudflare itself) against a
 * throwaway HTTP receiver on 127.0.0.1 standing in for the dispatcher: filtering, one POST per
 * batch with the bearer token, acks, retries with backoff, the dead-letter queue, 4xx handling.
 * The end-to-end test against the real dispatcher is `tests/worker/events_e2e_test.ts`.
 */
import assert from "node:assert/strict";
import { type DeadLetter, r2Event, startEventWorker, waitUntil } from "./_event_worker.ts";

interface Received {
  auth: string | null;
  path: string;
  events: { object: { key: string }; action: string }[];
}

/**
 * A receiver on 127.0.0.1 answering each POST with `answer(n)` (n counts from 1), and the body
 * `body(events)` (default `{ok: true}`).
 */
function receiver(
  answer: (n: number) => number,
  port = 0,
  body: (events: Received["events"]) => unknown = () => ({ ok: true }),
) {
  const got: Received[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, async (req) => {
    const events = await req.json();
    got.push({ auth: req.headers.get("authorization"), path: new URL(req.url).pathname, events });
    return Response.json(body(events), { status: answer(got.length) });
  });
  return { got, url: `http://127.0.0.1:${server.addr.port}`, port: server.addr.port, server };
}

const keysOf = (r: Received) => r.events.map((e) => e.object.key);
const opts = { sanitizeOps: false, sanitizeResources: false };

/** Sends a sentinel to the dead-letter queue and waits for it: everything dead-lettered
 * before it has been observed by then. Returns what came before the sentinel. */
async function deadLettersBefore(
  worker: { sendToDeadLetter(b: unknown): Promise<void>; deadLetters: DeadLetter[] },
): Promise<DeadLetter[]> {
  await worker.sendToDeadLetter({ sentinel: true });
  await waitUntil(
    "the sentinel in the dead-letter queue",
    () => worker.deadLetters.some((d) => (d.body as { sentinel?: boolean }).sentinel) || undefined,
  );
  return worker.deadLetters.filter((d) => !(d.body as { sentinel?: boolean }).sentinel);
}

Deno.test({
  name: "event Worker forwards the kept events of a batch in one POST with the bearer token",
  ...opts,
  async fn() {
    const rx = receiver(() => 200);
    const worker = await startEventWorker({
      dispatcherUrl: rx.url,
      token: "s3cret-token",
      vars: {
        EVENT_PREFIXES: ["raw/"],
        EVENT_SUFFIXES: [".tar", ".manifest.json"],
        EVENT_ACTIONS: ["PutObject", "CompleteMultipartUpload"],
      },
    });
    try {
      await worker.send(
        r2Event("raw/shard-000000.tar"),
        r2Event("other/shard-000000.tar"), // prefix
        r2Event("raw/notes.txt"), // suffix
        r2Event("raw/shard-000001.tar", { action: "DeleteObject" }), // action
        { not: "an event" }, // malformed: acked, logged, copied to the dead-letter queue
        r2Event("raw/shard-000000.manifest.json", { action: "CompleteMultipartUpload" }),
      );
      await waitUntil("delivery", () => worker.logs.find((l) => l.msg === "delivered"));
      assert.equal(rx.got.length, 1);
      assert.equal(rx.got[0]!.path, "/events");
      assert.equal(rx.got[0]!.auth, "Bearer s3cret-token");
      assert.deepEqual(keysOf(rx.got[0]!), [
        "raw/shard-000000.tar",
        "raw/shard-000000.manifest.json",
      ]);
      const refused = worker.logs.filter((l) => l.msg === "event refused; acked");
      assert.equal(refused.length, 1);
      assert.equal(refused[0]!.by, "worker");
      assert.match(String(refused[0]!.reason), /^not an R2 event: /);
      assert.equal(refused[0]!.deadLettered, true);
      assert.ok(!JSON.stringify(worker.logs).includes("s3cret-token"), "token in the logs");
      assert.deepEqual((await deadLettersBefore(worker)).map((d) => d.body), [{ not: "an event" }]);
    } finally {
      await worker.close();
      await rx.server.shutdown();
    }
  },
});

Deno.test({
  name: "event Worker retries a batch the dispatcher fails (5xx) with growing delays",
  ...opts,
  async fn() {
    const rx = receiver((n) => (n <= 2 ? 503 : 200));
    const worker = await startEventWorker({ dispatcherUrl: rx.url, token: "t", maxRetries: 5 });
    try {
      await worker.send(r2Event("raw/shard-000000.tar"), r2Event("raw/shard-000001.tar"));
      await waitUntil("delivery", () => worker.logs.find((l) => l.msg === "delivered"));
      assert.equal(rx.got.length, 3);
      for (const r of rx.got) {
        assert.deepEqual(keysOf(r).sort(), ["raw/shard-000000.tar", "raw/shard-000001.tar"]);
      }
      const retries = worker.logs.filter((l) => l.msg === "dispatcher unavailable; retrying");
      // RETRY_BASE_SECONDS=1, RETRY_MAX_SECONDS=2: 1 s after the first delivery, 2 s after the second.
      assert.deepEqual(retries.map((l) => [l.status, l.attempts, l.delaySeconds]), [
        [503, 1, 1],
        [503, 2, 2],
      ]);
      assert.deepEqual(await deadLettersBefore(worker), []);
    } finally {
      await worker.close();
      await rx.server.shutdown();
    }
  },
});

Deno.test({
  name: "event Worker retries while the dispatcher is down and delivers once it is up",
  ...opts,
  async fn() {
    // A port that nothing listens on (taken, then released), where the dispatcher comes up later.
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (probe.addr as Deno.NetAddr).port;
    probe.close();
    const worker = await startEventWorker({
      dispatcherUrl: `http://127.0.0.1:${port}`,
      token: "t",
      maxRetries: 20,
    });
    let rx: ReturnType<typeof receiver> | undefined;
    try {
      await worker.send(r2Event("raw/shard-000007.tar"));
      const failed = await waitUntil(
        "a failed delivery",
        () => worker.logs.find((l) => l.msg === "dispatcher unavailable; retrying"),
      );
      assert.match(String(failed.detail), /^network:/);
      rx = receiver(() => 200, port);
      await waitUntil("delivery", () => worker.logs.find((l) => l.msg === "delivered"));
      assert.equal(rx.got.length, 1);
      assert.deepEqual(keysOf(rx.got[0]!), ["raw/shard-000007.tar"]);
    } finally {
      await worker.close();
      await rx?.server.shutdown();
    }
  },
});

Deno.test({
  name: "event Worker: a message that keeps failing lands in the dead-letter queue",
  ...opts,
  async fn() {
    const rx = receiver(() => 500);
    const worker = await startEventWorker({ dispatcherUrl: rx.url, token: "t", maxRetries: 2 });
    try {
      const event = r2Event("raw/shard-000009.tar", { eTag: "e9" });
      await worker.send(event);
      const dead = await waitUntil("a dead letter", () => worker.deadLetters[0]);
      assert.deepEqual(dead.body, event);
      // max_retries 2: delivered three times, then dead-lettered.
      assert.equal(rx.got.length, 3);
    } finally {
      await worker.close();
      await rx.server.shutdown();
    }
  },
});

Deno.test({
  name: "event Worker acks and logs a batch refused for good (401), without retrying it",
  ...opts,
  async fn() {
    const rx = receiver(() => 401);
    // max_retries 0: a retried message would go to the dead-letter queue at once.
    const worker = await startEventWorker({ dispatcherUrl: rx.url, token: "wrong", maxRetries: 0 });
    try {
      await worker.send(r2Event("raw/shard-000003.tar"));
      const refused = await waitUntil(
        "the refusal",
        () => worker.logs.find((l) => String(l.msg).startsWith("dispatcher refused")),
      );
      assert.equal(refused.status, 401);
      assert.equal(refused.deadLettered, true);
      // Acked, not retried, and kept: a copy in the dead-letter queue to replay once fixed.
      assert.deepEqual(
        (await deadLettersBefore(worker)).map((d) => d.body),
        [r2Event("raw/shard-000003.tar")],
      );
      assert.equal(rx.got.length, 1);
    } finally {
      await worker.close();
      await rx.server.shutdown();
    }
  },
});

Deno.test({
  name: "event Worker acks a batch the dispatcher took in part (207): the rejected events are " +
    "logged and dead-lettered, none is retried",
  ...opts,
  async fn() {
    // The dispatcher's 207: the event at index 1 of the POST is malformed.
    const rx = receiver(() => 207, 0, (events) => ({
      received: events.length,
      accepted: events.length - 1,
      rejected: [{
        index: 1,
        key: events[1]!.object.key,
        reason: "eventTime: Invalid ISO datetime",
      }],
    }));
    // max_retries 0: a retried message would go to the dead-letter queue at once (and twice).
    const worker = await startEventWorker({ dispatcherUrl: rx.url, token: "t", maxRetries: 0 });
    try {
      const bad = { ...r2Event("raw/shard-000011.tar"), eventTime: "yesterday" };
      await worker.send(r2Event("raw/shard-000010.tar"), bad, r2Event("raw/shard-000012.tar"));
      const delivered = await waitUntil(
        "delivery",
        () => worker.logs.find((l) => l.msg === "delivered"),
      );
      assert.deepEqual([delivered.status, delivered.accepted, delivered.rejected], [207, 2, 1]);
      assert.equal(rx.got.length, 1);
      assert.deepEqual(keysOf(rx.got[0]!), [
        "raw/shard-000010.tar",
        "raw/shard-000011.tar",
        "raw/shard-000012.tar",
      ]);
      const refused = worker.logs.filter((l) => l.msg === "event refused; acked");
      assert.deepEqual(
        refused.map((l) => [l.by, l.key, l.index, l.reason, l.deadLettered]),
        [["dispatcher", "raw/shard-000011.tar", 1, "eventTime: Invalid ISO datetime", true]],
      );
      assert.deepEqual((await deadLettersBefore(worker)).map((d) => d.body), [bad]);
      assert.equal(rx.got.length, 1, "nothing delivered again");
    } finally {
      await worker.close();
      await rx.server.shutdown();
    }
  },
});

Deno.test({
  name: "event Worker without a dead-letter binding logs what it refuses and acks it",
  ...opts,
  async fn() {
    const rx = receiver(() => 200);
    const worker = await startEventWorker({
      dispatcherUrl: rx.url,
      token: "t",
      deadLetterBinding: false,
    });
    try {
      await worker.send("not json {", r2Event("raw/shard-000013.tar"));
      await waitUntil("delivery", () => worker.logs.find((l) => l.msg === "delivered"));
      const refused = worker.logs.filter((l) => l.msg === "event refused; acked");
      assert.deepEqual(refused.map((l) => [l.by, l.reason, l.deadLettered]), [
        ["worker", "not an R2 event: body is text that is not JSON", false],
      ]);
      assert.deepEqual(await deadLettersBefore(worker), []);
      assert.deepEqual(keysOf(rx.got[0]!), ["raw/shard-000013.tar"]);
    } finally {
      await worker.close();
      await rx.server.shutdown();
    }
  },
});
