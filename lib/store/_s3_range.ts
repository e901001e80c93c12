/**
 * HTTP `Range` requests for the S3 store, and trimming of responses from servers that answer
 * with more than was asked (s3rver returns the whole object for `bytes=0-0`).
 *
 * @module
 */
import type { ByteRange } from "./store.ts";

/** The `Range` header for a non-empty byte range. */
export function rangeHeader(range: ByteRange): string {
  const last = range.length === undefined ? "" : String(range.offset + range.length - 1);
  return `bytes=${range.offset}-${last}`;
}

/**
 * How many leading bytes of a response to drop and how many to keep so that it holds exactly
 * the requested range. `contentRange` is the response's `Content-Range` (`bytes a-b/size`);
 * without it the response is the whole object. Returns `undefined` when nothing needs trimming.
 */
export function trimFor(
  range: ByteRange,
  contentRange: string | undefined,
): { skip: number; take: number } | undefined {
  const match = contentRange ? /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(contentRange) : null;
  const start = match ? Number(match[1]) : 0;
  const end = match ? Number(match[2]) + 1 : Infinity;
  const wantEnd = range.length === undefined ? Infinity : range.offset + range.length;
  if (start > range.offset) {
    throw new Error(`the server returned bytes from ${start}, not from ${range.offset}`);
  }
  if (start === range.offset && end <= wantEnd) return undefined;
  return { skip: range.offset - start, take: wantEnd - range.offset };
}

/** Drops `skip` bytes of `bytes` and keeps at most `take`. */
export function trimBytes(bytes: Uint8Array, trim: { skip: number; take: number }): Uint8Array {
  return bytes.subarray(trim.skip, trim.skip + trim.take);
}

/** A stream of `stream`'s bytes after the first `skip`, at most `take` of them. */
export function trimStream(
  stream: ReadableStream<Uint8Array>,
  trim: { skip: number; take: number },
): ReadableStream<Uint8Array> {
  let at = 0;
  const end = trim.skip + trim.take;
  const reader = stream.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      while (true) {
        if (at >= end) {
          await reader.cancel();
          controller.close();
          return;
        }
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          return;
        }
        const from = Math.max(0, trim.skip - at);
        const to = Math.min(value.byteLength, end - at);
        at += value.byteLength;
        if (from < to) {
          controller.enqueue(value.subarray(from, to));
          return;
        }
      }
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 });
}
