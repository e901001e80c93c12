/**
 * `worker/wrangler.jsonc` against what the Worker reads and what Cloudflare Queues accept (the
 * limits of the Queues docs: batch size 1-100, batch timeout up to 60 s, retries up to 100).
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const DIR = fileURLToPath(new URL("../../worker/", import.meta.url));

Deno.test("wrangler.jsonc: the queue consumer with its dead-letter queue (and a producer to it); no secret among the vars", async () => {
  const text = await Deno.readTextFile(`${DIR}wrangler.jsonc`);
  // Comments are whole lines in this file; strip them and parse the rest as JSON.
  const config = JSON.parse(text.split("\n").filter((l) => !/^\s*\/\//.test(l)).join("\n"));
  assert.ok(existsSync(`${DIR}${config.main}`), `main ${config.main} exists`);
  const [consumer, ...more] = config.queues.consumers;
  assert.equal(more.length, 0);
  assert.equal(consumer.queue, "shardline-events");
  assert.equal(consumer.dead_letter_queue, "shardline-events-dlq");
  assert.ok(consumer.max_batch_size >= 1 && consumer.max_batch_size <= 100);
  assert.ok(consumer.max_batch_timeout >= 0 && consumer.max_batch_timeout <= 60);
  assert.ok(consumer.max_retries >= 1 && consumer.max_retries <= 100);
  const source = await Deno.readTextFile(`${DIR}src/worker.ts`);
  for (const name of Object.keys(config.vars)) {
    assert.match(source, new RegExp(`env\\.${name}\\b`), `the Worker reads var ${name}`);
  }
  assert.ok(!("DISPATCHER_TOKEN" in config.vars), "the token is a secret, not a var");
  // Refused events are copied to the consumer's own dead-letter queue.
  assert.deepEqual(config.queues.producers, [
    { queue: consumer.dead_letter_queue, binding: "DEAD_LETTER_QUEUE" },
  ]);
  assert.match(source, /env\.DEAD_LETTER_QUEUE\b/);
  assert.match(source, /env\.DISPATCHER_TOKEN\b/);
});
