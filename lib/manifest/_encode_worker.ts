/**
 * The encode worker's entry (a `node:worker_threads` worker started by `_encode_pool.ts`). It
 * holds one `ShardEncoder` per session (a shard being written): each message
 * `{ session, rows, finish? }` adds a batch of rows; with `finish` it answers
 * `{ session, result }` (the Parquet bytes' buffer transferred, bare: see `WireView` in
 * `_encode_shard.ts`) or `{ session, error: { name, message, code? } }`, the first error of
 * any of the session's batches; `{ session, drop: true }` forgets a session (its shard will not
 * be committed). `{ stats: true }` answers `{ sessions }`, the number open (tests). It says
 * `{ ready: true }` once loaded.
 *
 * @module
 */
import { parentPort } from "node:worker_threads";
import { readWireRows, ShardEncoder } from "./_encode_shard.ts";

const port = parentPort;
/** Open sessions: their encoder, or the error that ended them. */
const sessions = new Map<number, ShardEncoder | { error: unknown }>();

if (port) {
  type Message = { session: number; rows: unknown; finish?: boolean; drop?: boolean };
  port.on("message", (message: Message & { stats?: boolean }) => {
    const { session } = message;
    if (message.stats) return port.postMessage({ session, sessions: sessions.size });
    if (message.drop) return void sessions.delete(session);
    let state = sessions.get(session);
    if (!(state && "error" in state)) {
      try {
        const rows = readWireRows(message.rows);
        state ??= new ShardEncoder(rows.fields, rows.options);
        state.add(rows);
      } catch (error) {
        state = { error };
      }
      sessions.set(session, state);
    }
    if (!message.finish) return;
    sessions.delete(session);
    try {
      if ("error" in state) throw state.error;
      const { aggregates, parquet, sha256 } = state.finish();
      const buffer = parquet.buffer as ArrayBuffer;
      const wire = { buffer, offset: parquet.byteOffset, length: parquet.length };
      port.postMessage({ session, result: { aggregates, sha256, parquet: wire } }, [buffer]);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      const code = (e as { code?: unknown }).code;
      port.postMessage({ session, error: { name: e.name, message: e.message, code } });
    }
  });
  port.postMessage({ ready: true });
}
