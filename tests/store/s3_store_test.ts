import assert from "node:assert/strict";
import { S3Client } from "@aws-sdk/client-s3";
import { openStore, S3Store } from "../../lib/store/mod.ts";
import { type S3rverHandle, startS3rver } from "../_s3rver.ts";
import {
  chunkedStream,
  dec,
  listKeys,
  pattern,
  rejectsWith,
  testStoreConformance,
} from "./conformance.ts";

// s3rver ignores If-None-Match, so the race test is skipped here; R2 and S3 honor it.
testStoreConformance("S3Store", async () => {
  const server = await startS3rver();
  let n = 0;
  return {
    open: ({ listPageSize, partSize }) =>
      Promise.resolve(
        new S3Store(server.bucket, {
          prefix: `case-${++n}`,
          endpoint: server.endpoint,
          credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
          listPageSize,
          partSize,
        }),
      ),
    close: () => server.close(),
  };
}, { raceFreeCreateOnly: false });

/** Runs `fn` against a fresh s3rver; `client` records each command's name and If-None-Match. */
async function withS3(
  fn: (ctx: {
    server: S3rverHandle;
    client: S3Client;
    calls: { command: string; ifNoneMatch?: string }[];
  }) => Promise<void>,
): Promise<void> {
  const server = await startS3rver();
  const client = new S3Client({
    endpoint: server.endpoint,
    region: "auto",
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  const calls: { command: string; ifNoneMatch?: string }[] = [];
  client.middlewareStack.add((next, context) => (args) => {
    const headers = (args.request as { headers?: Record<string, string> }).headers ?? {};
    calls.push({ command: context.commandName ?? "?", ifNoneMatch: headers["if-none-match"] });
    return next(args);
  }, { step: "finalizeRequest", name: "recordCalls" });
  try {
    await fn({ server, client, calls });
  } finally {
    client.destroy();
    await server.close();
  }
}

const MIB = 1024 * 1024;

Deno.test("S3Store.deleteMany sends DeleteObjects of at most 1,000 keys", async () => {
  await withS3(async ({ server, client, calls }) => {
    const store = new S3Store(server.bucket, { client, prefix: "p" });
    const keys = Array.from({ length: 2001 }, (_, i) => `ds/_index/shards/s-${i}.json`);
    // s3rver stores objects as files: 2,001 puts take a while, so put them in parallel.
    for (let i = 0; i < keys.length; i += 100) {
      await Promise.all(keys.slice(i, i + 100).map((k) => store.put(k, "{}")));
    }
    await store.put("ds/kept", "1");
    const keysPerCall: number[] = [];
    client.middlewareStack.add((next) => (args) => {
      const body = (args.request as { body?: unknown }).body;
      if (typeof body === "string") keysPerCall.push(body.split("<Key>").length - 1);
      return next(args);
    }, { step: "finalizeRequest", name: "countKeys" });
    calls.length = 0;
    await store.deleteMany([...keys, "ds/absent"]);
    assert.deepEqual(calls.map((c) => c.command), Array(3).fill("DeleteObjectsCommand"));
    assert.deepEqual(keysPerCall, [1000, 1000, 2]);
    assert.deepEqual(await listKeys(store, "ds/"), ["ds/kept"]);
  });
});

Deno.test("S3Store streams large puts as multipart uploads with fixed-size parts", async () => {
  await withS3(async ({ server, client, calls }) => {
    const store = new S3Store(server.bucket, { client, partSize: 5 * MIB });
    const bytes = pattern(12 * MIB);
    await store.put("big.bin", chunkedStream(bytes, 3 * MIB + 1));
    const names = calls.map((c) => c.command);
    assert.deepEqual(names.filter((n) => n === "UploadPartCommand").length, 3);
    assert.ok(names.includes("CreateMultipartUploadCommand"));
    assert.ok(names.includes("CompleteMultipartUploadCommand"));
    assert.equal((await store.head("big.bin"))?.size, bytes.byteLength);
    calls.length = 0;
    await store.put("small.bin", chunkedStream(bytes.subarray(0, 1000), 100));
    assert.deepEqual(calls.map((c) => c.command), ["PutObjectCommand"]);
  });
});

Deno.test("S3Store sends If-None-Match: * on create-only puts, after a HEAD", async () => {
  await withS3(async ({ server, client, calls }) => {
    const store = new S3Store(server.bucket, { client, partSize: 5 * MIB });
    await store.put("a.json", "{}", { ifNoneMatch: "*" });
    assert.deepEqual(calls, [
      { command: "HeadObjectCommand", ifNoneMatch: undefined },
      { command: "PutObjectCommand", ifNoneMatch: "*" },
    ]);
    calls.length = 0;
    await store.put("b.bin", chunkedStream(pattern(6 * MIB), MIB), { ifNoneMatch: "*" });
    const complete = calls.find((c) => c.command === "CompleteMultipartUploadCommand");
    assert.equal(complete?.ifNoneMatch, "*");
    calls.length = 0;
    await store.put("a.json", "{}");
    assert.deepEqual(calls, [{ command: "PutObjectCommand", ifNoneMatch: undefined }]);
  });
});

Deno.test("S3Store maps a 412 from the server to already_exists", async () => {
  await withS3(async ({ server, client }) => {
    // Play R2: refuse conditional PUTs as if another writer had just won the race.
    client.middlewareStack.add((next, context) => (args) => {
      const input = args.input as { IfNoneMatch?: string };
      if (context.commandName === "PutObjectCommand" && input.IfNoneMatch === "*") {
        throw Object.assign(new Error("At least one of the pre-conditions did not hold"), {
          name: "PreconditionFailed",
          $metadata: { httpStatusCode: 412 },
        });
      }
      return next(args);
    }, { step: "initialize", name: "play412" });
    const store = new S3Store(server.bucket, { client });
    await rejectsWith(store.put("x", "1", { ifNoneMatch: "*" }), "already_exists");
    await store.put("x", "1");
  });
});

Deno.test("S3Store never shows credentials in its URL or errors", async () => {
  await withS3(async ({ server }) => {
    const secret = "TOP-SECRET-VALUE-123";
    const store = await openStore(`s3://${server.bucket}/pre/fix`, {
      s3: {
        endpoint: server.endpoint,
        // s3rver does not check V4 signatures, so an unknown key id provokes the error.
        credentials: { accessKeyId: "NOBODY", secretAccessKey: secret },
      },
    });
    try {
      assert.equal(store.url, `s3://${server.bucket}/pre/fix`);
      const err = await store.put("k", "v").then(() => undefined, (e) => e);
      assert.equal(err?.code, "io");
      assert.ok(!String(err.message).includes(secret), err.message);
      assert.match(err.message, /"k"/);
    } finally {
      await store.close?.();
    }
  });
});

Deno.test("S3Store without credentials fails with io and sends nothing", async () => {
  const store = new S3Store("some-bucket", { endpoint: "http://127.0.0.1:9" });
  await rejectsWith(store.get("k"), "io");
  await assert.rejects(store.get("k"), /No credentials for s3:\/\/some-bucket/);
  await store.close();
});

Deno.test("openStore opens s3:// URLs against s3rver", async () => {
  await withS3(async ({ server }) => {
    const options = {
      s3: {
        endpoint: server.endpoint,
        credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
      },
    };
    const a = await openStore(`s3://${server.bucket}/one`, options);
    const b = await openStore(`s3://${server.bucket}`, options);
    try {
      await a.put("ds/x.txt", "hello");
      // s3rver misses common prefixes holding only deeper objects: give "one/" a direct child.
      await a.put("top.txt", "top");
      assert.equal(dec(await b.get("one/ds/x.txt")), "hello");
      assert.deepEqual(await listKeys(b, "", "/"), ["one/"]);
      assert.deepEqual(await listKeys(a, ""), ["ds/x.txt", "top.txt"]);
    } finally {
      await a.close?.();
      await b.close?.();
    }
  });
});

/**
 * An HTTP server on 127.0.0.1 that answers every GET with `body`, but for the first `drops`
 * requests sends the headers and half the body, then closes the connection.
 */
async function droppingServer(body: string, drops: number) {
  const { createServer } = await import("node:http");
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    res.writeHead(200, {
      "Content-Length": String(body.length),
      "Content-Type": "application/octet-stream",
      ETag: '"e"',
    });
    if (requests > drops) return void res.end(body);
    res.write(body.slice(0, body.length >> 1), () => req.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    store: new S3Store("bucket", {
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: "id", secretAccessKey: "secret" },
    }),
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

Deno.test("S3Store reads again when the connection drops mid-body, up to 3 times", async () => {
  const body = "0123456789".repeat(1000);
  const flaky = await droppingServer(body, 2);
  try {
    assert.equal(dec(await flaky.store.get("k")), body);
    assert.equal(flaky.requests(), 3);
  } finally {
    await flaky.store.close();
    await flaky.close();
  }
  const broken = await droppingServer(body, Infinity);
  try {
    await rejectsWith(broken.store.get("k"), "io");
    assert.equal(broken.requests(), 3, "three whole reads, then the error");
  } finally {
    await broken.store.close();
    await broken.close();
  }
});
