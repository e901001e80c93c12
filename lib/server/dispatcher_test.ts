import assert from "node:assert/strict";
import { openStore } from "../store/mod.ts";
import { createDispatcher, type RequestLogEntry } from "./dispatcher.ts";
import type { R2Event } from "./r2_event.ts";
import { ServerError } from "./server_error.ts";

const TOKEN = "correct-horse-battery-staple";
const auth = { authorization: `Bearer ${TOKEN}` };

async function setup(options: Partial<Parameters<typeof createDispatcher>[1]> = {}) {
  const store = await openStore(`memory://dispatcher-${crypto.randomUUID()}`);
  const log: RequestLogEntry[] = [];
  const handler = createDispatcher(store, {
    token: TOKEN,
    onLog: (e) => log.push(e),
    ...options,
  });
  const call = async (path: string, init: RequestInit = {}) => {
    const res = await handler(new Request(`http://dispatcher${path}`, init));
    const text = await res.text();
    return { res, body: text ? JSON.parse(text) : undefined };
  };
  return { store, log, call };
}

const event = (key: string, action = "PutObject"): R2Event => ({
  account: "acc",
  action: action as R2Event["action"],
  bucket: "bucket",
  object: { key, size: 1024, eTag: "etag" },
  eventTime: "2026-01-02T03:04:05.678Z",
});

Deno.test("dispatcher answers /health without a token", async () => {
  const { call } = await setup();
  const { res, body } = await call("/health");
  assert.equal(res.status, 200);
  assert.deepEqual(body, { ok: true });
});

Deno.test("dispatcher answers 401 alike for a missing, wrong or malformed token", async () => {
  const { call, log } = await setup();
  const answers = [];
  for (
    const headers of [
      {} as Record<string, string>,
      { authorization: "Bearer wrong" },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: TOKEN },
      { authorization: `Basic ${TOKEN}` },
    ]
  ) {
    const { res, body } = await call("/jobs/j-0123456789", { headers });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer/);
    answers.push(JSON.stringify(body));
  }
  assert.equal(new Set(answers).size, 1, "the answer says nothing about what was wrong");
  assert.equal(JSON.parse(answers[0]!).error.code, "unauthorized");
  // Every route but /health needs the token, unknown ones too (no route probing).
  assert.equal((await call("/nowhere")).res.status, 401);
  assert.equal((await call("/events", { method: "POST", body: "{}" })).res.status, 401);
  assert.ok(log.every((e) => !JSON.stringify(e).includes(TOKEN)));
  assert.equal((await call("/jobs/j-0123456789", { headers: auth })).res.status, 404);
});

Deno.test("dispatcher refuses a malformed job request with 400 and the failing paths", async () => {
  const { call } = await setup();
  const post = (body: string) =>
    call("/jobs", {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body,
    });
  const notJson = await post("{not json");
  assert.equal(notJson.res.status, 400);
  assert.equal(notJson.body.error.code, "invalid_json");

  const { res, body } = await post(JSON.stringify({
    code: { hash: "xyz" },
    input: ["raw", 7],
    params: [],
    concurrency: -1,
    storeOptions: { s3: { credentials: { secretAccessKey: "smuggled" } } },
  }));
  assert.equal(res.status, 400);
  assert.equal(body.error.code, "invalid_request");
  const paths = body.error.issues.map((i: { path: string }) => i.path).sort();
  assert.deepEqual(paths, ["", "code.hash", "concurrency", "input", "output", "params"]);
  assert.match(body.error.message, /^Invalid job request: /);
  assert.match(body.error.message, /code\.hash: expected the SHA-256 hex of the stored bundle/);
  assert.ok(body.error.issues.some((i: { message: string }) => i.message.includes("storeOptions")));
});

Deno.test("dispatcher answers 413 past maxBodyBytes, with or without Content-Length", async () => {
  const { call } = await setup({ maxBodyBytes: 1000 });
  const big = JSON.stringify({ pad: "x".repeat(2000) });
  const sized = await call("/jobs", { method: "POST", headers: auth, body: big });
  assert.equal(sized.res.status, 413);
  assert.equal(sized.body.error.code, "payload_too_large");
  // A streamed body has no Content-Length: it is cut off as it passes the limit.
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      pulled++;
      if (pulled > 100) return c.close();
      c.enqueue(new TextEncoder().encode("x".repeat(100)));
    },
  });
  const streamed = await call("/events", { method: "POST", headers: auth, body: stream });
  assert.equal(streamed.res.status, 413);
  assert.ok(pulled < 100, `read ${pulled} chunks of 100 bytes past a 1000-byte limit`);
  // Exactly at the limit is fine (then it is judged as JSON).
  const fits = JSON.stringify({ pad: "x".repeat(1000 - 10) });
  assert.equal(fits.length, 1000);
  assert.equal(
    (await call("/jobs", { method: "POST", headers: auth, body: fits })).res.status,
    400,
  );
});

Deno.test("dispatcher answers JSON errors for unknown routes, methods and jobs", async () => {
  const { call } = await setup();
  const cases: [string, RequestInit, number, string][] = [
    ["/nowhere", { headers: auth }, 404, "not_found"],
    ["/jobs", { headers: auth }, 405, "method_not_allowed"],
    ["/health", { method: "POST" }, 405, "method_not_allowed"],
    ["/jobs/j-0123456789abcdef", { headers: auth }, 404, "not_found"],
    ["/jobs/..%2F_code", { headers: auth }, 404, "not_found"],
  ];
  for (const [path, init, status, code] of cases) {
    const { res, body } = await call(path, init);
    assert.equal(res.status, status, path);
    assert.equal(body.error.code, code, path);
    assert.equal(typeof body.error.message, "string");
  }
});

Deno.test("dispatcher refuses a job whose code is not in its store", async () => {
  const { call } = await setup();
  const { res, body } = await call("/jobs", {
    method: "POST",
    headers: auth,
    body: JSON.stringify({ code: { hash: "a".repeat(64) }, input: "raw", output: "out" }),
  });
  assert.equal(res.status, 404);
  assert.match(body.error.message, /_code\/a{64}\.js/);
});

Deno.test("dispatcher validates R2 events and hands them to onEvents", async () => {
  const seen: R2Event[][] = [];
  const { call, store } = await setup({
    onEvents: (events, ctx) => {
      seen.push(events);
      assert.ok(ctx.store === store && typeof ctx.submit === "function");
      return Promise.resolve({ matched: events.length });
    },
  });
  const post = (body: unknown) =>
    call("/events", { method: "POST", headers: auth, body: JSON.stringify(body) });
  const one = await post(event("raw/shard-000001.tar"));
  assert.equal(one.res.status, 202);
  assert.deepEqual(one.body, { received: 1, accepted: 1, rejected: [], matched: 1 });
  const deleted = { ...event("raw/a.tar", "DeleteObject"), object: { key: "raw/a.tar" } };
  const batch = await post([event("raw/b.tar", "CopyObject"), deleted]);
  assert.deepEqual(batch.body, { received: 2, accepted: 2, rejected: [], matched: 2 });
  assert.deepEqual(seen.map((b) => b.map((e) => e.object.key)), [
    ["raw/shard-000001.tar"],
    ["raw/b.tar", "raw/a.tar"],
  ]);
  // What is not a batch at all is refused whole: one invalid event on its own, an empty batch,
  // a batch past 1000 events, a body that is neither an event nor an array.
  const single = await post({ ...event(""), eventTime: "yesterday" });
  assert.equal(single.res.status, 400);
  const paths = single.body.error.issues.map((i: { path: string }) => i.path);
  assert.deepEqual(paths.sort(), ["eventTime", "object.key"]);
  for (const body of [[], Array(1001).fill(event("raw/d.tar")), "raw/d.tar", 42]) {
    const refused = await post(body);
    assert.equal(refused.res.status, 400, JSON.stringify(body).slice(0, 40));
    assert.equal(refused.body.error.code, "invalid_request");
  }
  assert.equal(seen.length, 2, "a refused body reaches no hook");
});

Deno.test("dispatcher takes the valid events of a batch and answers 207 with the rejected ones", async () => {
  const seen: { keys: string[]; positions?: readonly number[] }[] = [];
  const { call, log } = await setup({
    onEvents: (events, ctx) => {
      seen.push({ keys: events.map((e) => e.object.key), positions: ctx.positions });
      return Promise.resolve({ matched: events.length });
    },
  });
  const post = (body: unknown) =>
    call("/events", { method: "POST", headers: auth, body: JSON.stringify(body) });
  const { res, body } = await post([
    event("raw/shard-000000.tar"),
    { ...event("raw/shard-000001.tar"), eventTime: "yesterday" },
    event("raw/shard-000002.tar"),
    { ...event(""), action: "Touch" },
    "not an event",
  ]);
  assert.equal(res.status, 207);
  assert.equal(res.headers.get("content-type"), "application/json");
  assert.deepEqual(seen, [{
    keys: ["raw/shard-000000.tar", "raw/shard-000002.tar"],
    positions: [0, 2],
  }]);
  assert.equal(body.received, 5);
  assert.equal(body.accepted, 2);
  assert.equal(body.matched, 2);
  const rejected = body.rejected as {
    index: number;
    key?: string;
    reason: string;
    issues: { path: string }[];
  }[];
  assert.deepEqual(rejected.map((r) => [r.index, r.key, r.issues.map((i) => i.path).sort()]), [
    [1, "raw/shard-000001.tar", ["eventTime"]],
    [3, "", ["action", "object.key"]],
    [4, undefined, [""]],
  ]);
  assert.match(rejected[0]!.reason, /^eventTime: /);
  assert.equal(log.at(-1)?.status, 207);

  // Every event rejected: still 207 with each one listed; no hook call.
  const none = await post([{ not: "an event" }, { ...event("raw/x.tar"), object: { size: 1 } }]);
  assert.equal(none.res.status, 207);
  assert.deepEqual(none.body.received, 2);
  assert.deepEqual(none.body.accepted, 0);
  assert.deepEqual(none.body.rejected.map((r: { index: number }) => r.index), [0, 1]);
  assert.equal(none.body.matched, undefined);
  assert.equal(seen.length, 1);
});

Deno.test("dispatcher counts events by action without a hook; a hook's error is answered", async () => {
  const counted = await setup();
  const { body } = await counted.call("/events", {
    method: "POST",
    headers: auth,
    body: JSON.stringify([event("a.tar"), event("b.tar"), event("c.tar", "DeleteObject")]),
  });
  assert.deepEqual(body, {
    received: 3,
    accepted: 3,
    rejected: [],
    actions: { PutObject: 2, DeleteObject: 1 },
  });

  const failing = await setup({
    onEvents: () => Promise.reject(new ServerError("unprocessable", "no rule matches")),
  });
  const refused = await failing.call("/events", {
    method: "POST",
    headers: auth,
    body: JSON.stringify(event("a.tar")),
  });
  assert.equal(refused.res.status, 422);
  assert.equal(refused.body.error.message, "no rule matches");
  const crashing = await setup({ onEvents: () => Promise.reject(new Error("db is down: pw=42")) });
  const crashed = await crashing.call("/events", {
    method: "POST",
    headers: auth,
    body: JSON.stringify(event("a.tar")),
  });
  assert.equal(crashed.res.status, 500);
  assert.doesNotMatch(JSON.stringify(crashed.body), /pw=42/, "internal details stay in the log");
  assert.equal(crashing.log.at(-1)?.error, "db is down: pw=42");
});

Deno.test("dispatcher logs method, path, status and job, never tokens or queries", async () => {
  const { call, log } = await setup();
  await call("/jobs/j-0123456789?token=leak", { headers: auth });
  await call("/health");
  assert.equal(log.length, 2);
  const [first] = log;
  assert.equal(first!.method, "GET");
  assert.equal(first!.path, "/jobs/j-0123456789");
  assert.equal(first!.status, 404);
  assert.equal(first!.job, "j-0123456789");
  assert.doesNotMatch(JSON.stringify(log), /leak|correct-horse/);
});

Deno.test("createDispatcher refuses an empty token", async () => {
  const store = await openStore("memory://dispatcher-empty-token");
  assert.throws(() => createDispatcher(store, { token: "" }), TypeError);
});
