/**
 * Normalizes tar input (bytes, Web stream or async iterable) into chunks, gunzipping on the
 * gzip magic (private).
 *
 * @module
 */

import { ShardError } from "./shard_error.ts";

/** What the tar readers accept. */
export type TarSource = ReadableStream<Uint8Array> | Uint8Array | AsyncIterable<Uint8Array>;

/** When to gunzip: `"auto"` on the `1f 8b` magic, or always / never. */
export type GzipMode = "auto" | boolean;

async function* iterate(source: TarSource): AsyncGenerator<Uint8Array> {
  if (source instanceof Uint8Array) {
    yield source;
  } else if (source instanceof ReadableStream) {
    const reader = source.getReader();
    let finished = false;
    try {
      while (true) {
        const { done, value } = await reader.read();
        if (done) return void (finished = true);
        yield value;
      }
    } finally {
      // Stopped early (end-of-archive block, error, consumer break): release the source.
      if (!finished) await reader.cancel().catch(() => {});
      reader.releaseLock();
    }
  } else yield* source;
}

/**
 * Compressed bytes handed to the inflater at a time. Deflate expands at most ~1032:1, so one
 * piece inflates to at most ~16.5 MiB, and the stream's backpressure keeps about two such
 * outputs alive at once: the bound on what a gzip bomb (gigabytes of zeros in a few hundred
 * kilobytes) can take. `DecompressionStream` inflates each input chunk whole, into one output.
 */
const GZIP_PIECE = 16 * 1024;

/** The chunks of `head` then `rest`, cut into pieces of at most {@linkcode GZIP_PIECE} bytes. */
async function* pieces(
  head: Uint8Array[],
  rest: AsyncIterator<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  const cut = function* (chunk: Uint8Array) {
    for (let i = 0; i < chunk.length; i += GZIP_PIECE) yield chunk.subarray(i, i + GZIP_PIECE);
  };
  for (const chunk of head) yield* cut(chunk);
  while (true) {
    const { done, value } = await rest.next();
    if (done) return;
    yield* cut(value);
  }
}

async function* gunzip(
  head: Uint8Array[],
  rest: AsyncIterator<Uint8Array>,
  shard: string | undefined,
): AsyncGenerator<Uint8Array> {
  const compressed = pieces(head, rest);
  // Pulled one piece at a time (high-water mark 0): nothing is read ahead of the inflater.
  const input = new ReadableStream<BufferSource>({
    async pull(controller) {
      const { done, value } = await compressed.next();
      if (done) controller.close();
      else controller.enqueue(value as Uint8Array<ArrayBuffer>);
    },
    async cancel() {
      await compressed.return(undefined);
      await rest.return?.();
    },
  }, { highWaterMark: 0 });
  const reader = input.pipeThrough<Uint8Array>(new DecompressionStream("gzip")).getReader();
  try {
    while (true) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (cause) {
        if (cause instanceof ShardError) throw cause;
        const detail = `gzip stream is corrupt (${(cause as Error)?.message ?? cause})`;
        throw new ShardError("invalid_gzip", detail, { shard, cause });
      }
      if (result.done) return;
      yield result.value;
    }
  } finally {
    // Stopped early (the end-of-archive block, an error): the source is cancelled, unread.
    await reader.cancel().catch(() => {});
  }
}

/** Yields the tar bytes of `source` as chunks, decompressing gzip per `gzip`. */
export async function* tarChunks(
  source: TarSource,
  gzip: GzipMode,
  shard?: string,
): AsyncGenerator<Uint8Array> {
  if (gzip === false) return yield* iterate(source);
  const it = iterate(source);
  try {
    const head: Uint8Array[] = [];
    let have = 0;
    while (have < 2) {
      const { done, value } = await it.next();
      if (done) break;
      if (value.length === 0) continue;
      head.push(value);
      have += value.length;
    }
    const magic = head.length === 1
      ? head[0]!
      : new Uint8Array([...(head[0] ?? []), ...(head[1] ?? [])]);
    if (gzip === true || (magic[0] === 0x1f && magic[1] === 0x8b)) {
      return yield* gunzip(head, it, shard);
    }
    for (const chunk of head) yield chunk;
    yield* it;
  } finally {
    await it.return(undefined); // releases (cancels) the source when stopped early
  }
}
