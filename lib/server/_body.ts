/**
 * Reads a request body as JSON, at most `limit` bytes: a larger `Content-Length` is refused
 * before reading, and a body without one (chunked) is cut off as soon as it passes the limit.
 *
 * @module
 */
import { ServerError } from "./server_error.ts";

/** The body as JSON; throws `payload_too_large` or `invalid_json`. */
export async function readJsonBody(req: Request, limit: number): Promise<unknown> {
  const tooLarge = () =>
    new ServerError("payload_too_large", `Request body larger than ${limit} bytes`);
  const length = Number(req.headers.get("content-length") ?? NaN);
  if (length > limit) {
    await req.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (req.body) {
    const reader = req.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) bytes.set(c, at), at += c.byteLength;
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new ServerError("invalid_json", "Request body is not valid JSON");
  }
}
