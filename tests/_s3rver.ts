/**
 * Test helper: a real S3-compatible server (s3rver@3.7.1) on 127.0.0.1, run with Node in a
 * child process (s3rver needs prototype mutation that Deno refuses without `--unsafe-proto`).
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { needs, runs } from "./_tools.ts";

/**
 * The `ignore` of tests that need s3rver: Node.js runs it. Missing under CI: a failing test
 * naming the setup step; locally: a loud notice (see `_tools.ts`).
 */
export const noNode: boolean = needs(
  "Node.js (runs s3rver)",
  runs("node", ["--version"]),
  "nodejs",
);

/**
 * The store options that open a bucket of `s3` (endpoint, region, its fixed credentials).
 *
 * @example
 * ```ts ignore
 * const s3 = await startS3rver("jobs-bucket");
 * const store = await openStore(`s3://${s3.bucket}/data`, s3StoreOptions(s3));
 * ```
 */
export function s3StoreOptions(s3: S3rverHandle): {
  s3: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
} {
  return {
    s3: {
      endpoint: s3.endpoint,
      region: "auto",
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    },
  };
}

/** A running s3rver; `close()` stops it and removes its data. */
export interface S3rverHandle {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  /** A bucket that exists on the server. */
  bucket: string;
  /** s3rver's fixed access key id. */
  accessKeyId: "S3RVER";
  /** s3rver's fixed secret. */
  secretAccessKey: "S3RVER";
  /** Kills the server, waits for it to exit and removes its temp directory. */
  close(): Promise<void>;
}

const LAUNCHER = fileURLToPath(new URL("./_s3rver_launcher.cjs", import.meta.url));

/**
 * Starts s3rver on a free port of 127.0.0.1 with one bucket (`"test-bucket"` unless named).
 * The child exits when `close()` is called or when this process dies (its stdin closes).
 */
export async function startS3rver(bucket = "test-bucket"): Promise<S3rverHandle> {
  const dir = await Deno.makeTempDir({ prefix: "s3rver-" });
  const child = new Deno.Command("node", {
    // s3rver signs continuation tokens with DES, which OpenSSL 3 keeps in its legacy provider.
    args: ["--openssl-legacy-provider", LAUNCHER, dir, bucket],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Drain stderr continuously so the child never blocks on a full pipe.
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await child.stdin.close().catch(() => {});
    try {
      child.kill("SIGTERM");
    } catch {
      // Already exited.
    }
    await child.status;
    await reader.cancel().catch(() => {});
    await stderr.catch(() => "");
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  try {
    let text = "";
    // A server that never says its port is killed: the read ends, and the start fails below.
    const deadline = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch { /* exited */ }
    }, 60_000);
    while (!text.includes("\n")) {
      const { done, value } = await reader.read();
      if (done) break;
      text += value;
    }
    clearTimeout(deadline);
    const line = text.split("\n")[0] ?? "";
    let port: number | undefined;
    try {
      port = (JSON.parse(line) as { port?: number }).port;
    } catch {
      port = undefined;
    }
    if (typeof port !== "number") {
      await close();
      throw new Error(`s3rver did not start: ${line || "(no output)"} ${await stderr}`);
    }
    return {
      endpoint: `http://127.0.0.1:${port}`,
      bucket,
      accessKeyId: "S3RVER",
      secretAccessKey: "S3RVER",
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
