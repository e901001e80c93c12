/**
 * Test helper: the event Worker (`worker/src/worker.ts`, bundled with `deno bundle`) running in
 * miniflare (workerd) with its queue, a dead-letter queue and a second Worker consuming the
 * dead-letter queue that reports each message to a sink on 127.0.0.1, so tests can see what was
 * dead-lettered. Miniflare does not turn R2 writes into notifications: tests send the
 * documented R2 event message to the queue themselves.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { Miniflare } from "miniflare";

const WORKER = fileURLToPath(new URL("../../worker/src/worker.ts", import.meta.url));

/** What the dead-letter observer saw. */
export interface DeadLetter {
  id: string;
  attempts: number;
  body: unknown;
}

/** Options of {@linkcode startEventWorker}. */
export interface EventWorkerOptions {
  /** The dispatcher's base URL. */
  dispatcherUrl: string;
  /** The Worker secret `DISPATCHER_TOKEN`. */
  token: string;
  /** Extra Worker vars (`EVENT_PREFIXES`, ...). */
  vars?: Record<string, unknown>;
  /** Queue consumer `max_retries`. @default 3 */
  maxRetries?: number;
  /** Queue consumer `max_batch_size`. @default 10 */
  maxBatchSize?: number;
  /** Bind the dead-letter queue's producer as `DEAD_LETTER_QUEUE`, as wrangler.jsonc does. @default true */
  deadLetterBinding?: boolean;
}

/** A running Worker; `close()` stops miniflare, the sink and removes the bundle. */
export interface EventWorker {
  /** Sends R2 event messages to the queue (one `sendBatch`, so they can share a batch). */
  send(...bodies: unknown[]): Promise<void>;
  /** Sends a message straight to the dead-letter queue (an ordering sentinel). */
  sendToDeadLetter(body: unknown): Promise<void>;
  /** Messages the dead-letter queue received, in order. */
  readonly deadLetters: DeadLetter[];
  /** The Worker's log lines (its JSON lines parsed; other runtime output skipped). */
  readonly logs: Record<string, unknown>[];
  close(): Promise<void>;
}

const DLQ_OBSERVER = `export default {
  async queue(batch, env) {
    for (const m of batch.messages) {
      await fetch(env.SINK, { method: "POST", body: JSON.stringify({ id: m.id, attempts: m.attempts, body: m.body }) });
      m.ack();
    }
  },
};`;

/** Polls `check` until it returns a value other than undefined, or throws at the deadline. */
export async function waitUntil<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Bundles the Worker and starts it in miniflare. */
export async function startEventWorker(options: EventWorkerOptions): Promise<EventWorker> {
  const dir = await Deno.makeTempDir({ prefix: "shardline-worker-" });
  const deadLetters: DeadLetter[] = [];
  const logs: Record<string, unknown>[] = [];
  const sink = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    deadLetters.push(await req.json());
    return new Response("ok");
  });
  let mf: Miniflare | undefined;
  try {
    const out = join(dir, "worker.js");
    const bundled = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--quiet", "--platform", "browser", "-o", out, WORKER],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!bundled.success) throw new Error(new TextDecoder().decode(bundled.stderr));
    await Deno.writeTextFile(join(dir, "dlq.js"), DLQ_OBSERVER);
    let pending = "";
    const onText = (chunk: unknown) => {
      pending += String(chunk);
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        const at = line.indexOf('{"level"');
        if (at < 0) continue;
        try {
          logs.push(JSON.parse(line.slice(at)));
        } catch { /* not one of the Worker's lines */ }
      }
    };
    mf = new Miniflare({
      handleRuntimeStdio(stdout: Readable, stderr: Readable) {
        stdout.on("data", onText);
        stderr.on("data", onText);
      },
      workers: [
        {
          name: "shardline-events",
          modules: true,
          modulesRoot: dir,
          scriptPath: out,
          compatibilityDate: "2026-04-01",
          bindings: {
            DISPATCHER_URL: options.dispatcherUrl,
            DISPATCHER_TOKEN: options.token,
            RETRY_BASE_SECONDS: "1",
            RETRY_MAX_SECONDS: "2",
            ...options.vars,
          },
          queueProducers: {
            EVENTS: { queueName: "shardline-events" },
            // The test's own way in (sentinels), and the Worker's binding when asked for.
            TEST_DLQ: { queueName: "shardline-events-dlq" },
            ...(options.deadLetterBinding !== false && {
              DEAD_LETTER_QUEUE: { queueName: "shardline-events-dlq" },
            }),
          },
          queueConsumers: {
            "shardline-events": {
              maxBatchSize: options.maxBatchSize ?? 10,
              maxBatchTimeout: 1,
              maxRetries: options.maxRetries ?? 3,
              deadLetterQueue: "shardline-events-dlq",
            },
          },
        },
        {
          name: "dlq-observer",
          modules: true,
          modulesRoot: dir,
          scriptPath: join(dir, "dlq.js"),
          compatibilityDate: "2026-04-01",
          bindings: { SINK: `http://127.0.0.1:${sink.addr.port}/` },
          queueConsumers: { "shardline-events-dlq": { maxBatchSize: 10, maxBatchTimeout: 1 } },
        },
      ],
    });
    await mf.ready;
  } catch (err) {
    await mf?.dispose().catch(() => {});
    await sink.shutdown();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw err;
  }
  const running = mf;
  const events = await running.getQueueProducer("EVENTS", "shardline-events");
  const dlq = await running.getQueueProducer("TEST_DLQ", "shardline-events");
  return {
    deadLetters,
    logs,
    async send(...bodies) {
      await events.sendBatch(bodies.map((body) => ({ body })));
    },
    async sendToDeadLetter(body) {
      await dlq.send(body);
    },
    async close() {
      await running.dispose().catch(() => {});
      await sink.shutdown();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** An R2 event notification body as Cloudflare documents it. */
export function r2Event(
  key: string,
  options: { bucket?: string; action?: string; eTag?: string; size?: number } = {},
): Record<string, unknown> {
  const action = options.action ?? "PutObject";
  const deletion = action === "DeleteObject" || action === "LifecycleDeletion";
  return {
    account: "3f4b7e3dcab231cbfdaa90a6a28bd548",
    action,
    bucket: options.bucket ?? "test-bucket",
    object: deletion ? { key } : {
      key,
      size: options.size ?? 1024,
      eTag: options.eTag ?? "c846ff7a18f28c2e262116d6e8719ef0",
    },
    eventTime: "2026-12-07T04:00:00.000Z",
  };
}
