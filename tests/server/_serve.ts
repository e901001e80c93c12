/**
 * Test helper: runs `deno task cli serve` (the real command, in a subprocess) on 127.0.0.1 with
 * a free port and returns its base URL; `close()` stops it with SIGTERM and waits for it.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../../cli.ts", import.meta.url));
const CONFIG = fileURLToPath(new URL("../../deno.json", import.meta.url));

/** A running dispatcher process. */
export interface ServeHandle {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Its stderr so far: one JSON line per request. */
  log(): string;
  /** Stops it (SIGTERM) and waits for its exit; resolves to its exit code. */
  close(): Promise<number>;
}

/** Starts `cli serve --port 0` with `args` and `env` (the token goes in `SHARDLINE_TOKEN`). */
export async function startServe(
  args: string[],
  env: Record<string, string>,
): Promise<ServeHandle> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", "--config", CONFIG, CLI, "serve", "--port", "0", ...args],
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let stderr = "";
  const draining = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (t) => void (stderr += t) }),
  );
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let first = "";
  const deadline = setTimeout(() => child.kill("SIGKILL"), 60_000);
  while (!first.includes("\n")) {
    const { done, value } = await reader.read();
    if (done) break;
    first += value;
  }
  clearTimeout(deadline);
  const stdoutDone = (async () => {
    while (!(await reader.read()).done) { /* drain */ }
  })();
  const close = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* exited */ }
    const { code } = await child.status;
    await Promise.all([draining.catch(() => {}), stdoutDone.catch(() => {})]);
    return code;
  };
  const url = first.trim();
  if (!url.startsWith("http://")) {
    await close();
    throw new Error(`serve did not start: ${first}${stderr}`);
  }
  return { url, log: () => stderr, close };
}
