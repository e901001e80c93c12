/**
 * The encode worker's entry (a `node:worker_threads` worker started by `_encode_pool.ts`): for
 * each message `{ id, rows }` it runs `encodeShard` and answers `{ id, result }` (the Parquet
 * bytes' buffer transferred, bare: see `WireView` in `_shard_encode.ts`) or
 * `{ id, error: { name, message, code? } }`. It says `{ ready: true }` once loaded.
 *
 * @module
 */
import { parentPort } from "node:worker_threads";
import { encodeShard, readWireRows } from "./_shard_encode.ts";

const port = parentPort;
if (port) {
  port.on("message", (message: { id: number; rows: unknown }) => {
    const { id } = message;
    try {
      const { aggregates, parquet, sha256 } = encodeShard(readWireRows(message.rows));
      const buffer = parquet.buffer as ArrayBuffer;
      const wire = { buffer, offset: parquet.byteOffset, length: parquet.length };
      port.postMessage({ id, result: { aggregates, sha256, parquet: wire } }, [buffer]);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      const code = (e as { code?: unknown }).code;
      port.postMessage({ id, error: { name: e.name, message: e.message, code } });
    }
  });
  port.postMessage({ ready: true });
}
