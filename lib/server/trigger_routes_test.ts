import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { openStore } from "../store/mod.ts";
import { listTriggers, readTrigger } from "../trigger/mod.ts";
import { createDispatcher } from "./dispatcher.ts";

const TOKEN = "correct-horse-battery-staple";
const auth = { authorization: `Bearer ${TOKEN}` };

async function setup() {
  const store = await openStore(`memory://triggers-${crypto.randomUUID()}`);
  const handler = createDispatcher(store, { token: TOKEN });
  const call = async (path: string, init: RequestInit = {}) => {
    const res = await handler(new Request(`http://dispatcher${path}`, init));
    const text = await res.text();
    return { res, body: text ? JSON.parse(text) : undefined };
  };
  // Job code stored as a client would before naming it (hash computed here, not by shardline).
  const code = new TextEncoder().encode("export default {};\n");
  const hash = createHash("sha256").update(code).digest("hex");
  await store.put(`_code/${hash}.js`, code);
  return { store, call, hash, size: code.byteLength };
}

const put = (body: unknown, headers: Record<string, string> = auth): RequestInit => ({
  method: "PUT",
  headers: { ...headers, "content-type": "application/json" },
  body: JSON.stringify(body),
});

Deno.test("dispatcher /triggers: put, read, list and delete a rule over stored code", async () => {
  const { store, call, hash, size } = await setup();
  const rule = { code: { hash }, output: "scored", prefix: "raw/", waitForManifest: true };

  const created = await call("/triggers/score-raw", put(rule));
  assert.equal(created.res.status, 201);
  assert.equal(created.body.rule.id, "score-raw");
  assert.equal(created.body.rule.job.code.key, `_code/${hash}.js`);
  assert.equal(created.body.rule.job.code.size, size);
  assert.equal(created.body.rule.wait_for_manifest, true);
  // The same record the CLI and the event path read.
  assert.equal((await readTrigger(store, "score-raw"))?.output, "scored");

  const one = await call("/triggers/score-raw", { headers: auth });
  assert.equal(one.res.status, 200);
  assert.equal(one.body.rule.prefix, "raw/");
  const all = await call("/triggers", { headers: auth });
  assert.deepEqual(all.body.rules.map((r: { id: string }) => r.id), ["score-raw"]);

  const again = await call("/triggers/score-raw", put({ ...rule, output: "other" }));
  assert.equal(again.res.status, 409);
  assert.equal(again.body.error.code, "conflict");
  const replaced = await call("/triggers/score-raw?replace=1", put({ ...rule, output: "other" }));
  assert.equal(replaced.res.status, 201);
  assert.equal((await readTrigger(store, "score-raw"))?.output, "other");

  const gone = await call("/triggers/score-raw", { method: "DELETE", headers: auth });
  assert.equal(gone.res.status, 204);
  assert.deepEqual(await listTriggers(store), []);
  assert.equal((await call("/triggers/score-raw", { headers: auth })).res.status, 404);
  assert.equal(
    (await call("/triggers/score-raw", { method: "DELETE", headers: auth })).res.status,
    404,
  );
});

Deno.test("dispatcher /triggers refuses without a token, bad rules and unstored code", async () => {
  const { store, call, hash } = await setup();
  for (const init of [{}, { headers: { authorization: "Bearer nope" } }]) {
    const { res, body } = await call("/triggers", init);
    assert.equal(res.status, 401);
    assert.equal(body.error.code, "unauthorized");
  }
  const noAuth = await call("/triggers/r1", put({ code: { hash }, output: "o" }, {}));
  assert.equal(noAuth.res.status, 401);

  const smuggled = await call(
    "/triggers/r1",
    put({ code: { hash }, output: "o", storeOptions: { secretAccessKey: "x" } }),
  );
  assert.equal(smuggled.res.status, 400);
  assert.equal(smuggled.body.error.code, "invalid_request");

  const missing = await call("/triggers/r1", put({ code: { hash: "0".repeat(64) }, output: "o" }));
  assert.equal(missing.res.status, 400);
  assert.match(missing.body.error.message, /no job code 0{64} stored/);

  const loop = await call(
    "/triggers/r1",
    put({ code: { hash }, output: "raw/out", prefix: "raw/" }),
  );
  assert.equal(loop.res.status, 400);
  assert.match(loop.body.error.message, /lies under its prefix/);

  assert.equal((await call("/triggers/Bad%20Id", { headers: auth })).res.status, 404);
  assert.equal((await call("/triggers", { method: "POST", headers: auth })).res.status, 405);
  assert.deepEqual(await listTriggers(store), []);
});
