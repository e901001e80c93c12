/**
 * The last lines of an executor's log file, for a stalled job's status.
 *
 * @module
 */
import { open } from "node:fs/promises";
import { hostname } from "node:os";

/**
 * The last `lines` lines of the log at `path` (from its last `maxBytes` bytes), or undefined
 * when it is on another host or cannot be read.
 */
export async function readLogTail(
  path: string,
  host: string,
  lines = 10,
  maxBytes = 8192,
): Promise<string[] | undefined> {
  if (host !== hostname()) return undefined;
  let fh;
  try {
    fh = await open(path, "r");
    const { size } = await fh.stat();
    const start = Math.max(0, size - maxBytes);
    const buf = new Uint8Array(size - start);
    let filled = 0;
    while (filled < buf.length) {
      const { bytesRead } = await fh.read(buf, filled, buf.length - filled, start + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    let text = new TextDecoder().decode(buf.subarray(0, filled));
    if (start > 0) text = text.slice(text.indexOf("\n") + 1); // a partial first line
    // deno-lint-ignore no-control-regex
    const all = text.replace(/\x1b\[[0-9;]*m/g, "").split("\n").map((l) => l.trimEnd());
    return all.filter((l) => l !== "").slice(-lines);
  } catch {
    return undefined;
  } finally {
    await fh?.close().catch(() => {});
  }
}
