/**
 * Helpers for put bodies and get streams shared by the backends.
 *
 * @module
 */
import type { PutBody } from "./store.ts";
import { StoreError } from "./store_error.ts";

const encoder = new TextEncoder();

/** Chunk size of streams built from bytes in memory. */
const STREAM_CHUNK = 1 << 20;

/** Iterates the chunks of a put body (strings UTF-8 encoded). */
export async function* bodyChunks(body: PutBody): AsyncGenerator<Uint8Array> {
  if (typeof body === "string") {
    yield encoder.encode(body);
  } else if (body instanceof Uint8Array) {
    yield body;
  } else if (body instanceof ReadableStream) {
    const reader = body.getReader();
    try {
      while (true) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  } else {
    throw new TypeError(`Unsupported put body: ${Object.prototype.toString.call(body)}`);
  }
}

/** Reads a whole put body into one `Uint8Array`. */
export async function bodyBytes(body: PutBody): Promise<Uint8Array> {
  if (typeof body === "string") return encoder.encode(body);
  if (body instanceof Uint8Array) return body;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of bodyChunks(body)) {
    chunks.push(chunk);
    size += chunk.byteLength;
  }
  return concat(chunks, size);
}

/** Concatenates chunks whose total length is `size`. */
export function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]!.byteLength === size) return chunks[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/** A stream over bytes already in memory, in chunks of at most 1 MiB. */
export function bytesStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.byteLength) {
        controller.close();
        return;
      }
      const end = Math.min(bytes.byteLength, at + STREAM_CHUNK);
      controller.enqueue(bytes.slice(at, end));
      at = end;
    },
  }, { highWaterMark: 0 });
}

/** Wraps a failure of a put body's source stream (or any other cause) as an `"io"` error. */
export function ioError(what: string, key: string, url: string, cause: unknown): StoreError {
  if (cause instanceof StoreError) return cause;
  const why = cause instanceof Error ? cause.message : String(cause);
  return new StoreError("io", `Cannot ${what} "${key}" in ${url}: ${why}`, { key, url, cause });
}
