/**
 * {@linkcode parseR2Event}: the body of an R2 event notification message, as Cloudflare
 * documents it (R2 > Buckets > Event notifications > Message format), checked field by field.
 *
 * @module
 */

/** An R2 event notification: what R2 puts on the queue when an object changes. */
export interface R2EventMessage {
  /** The Cloudflare account id. */
  account: string;
  /** `PutObject`, `CopyObject`, `CompleteMultipartUpload`, `DeleteObject`, `LifecycleDeletion`. */
  action: string;
  /** The bucket's name. */
  bucket: string;
  /** The object; `size` and `eTag` are absent for deletions. */
  object: { key: string; size?: number; eTag?: string };
  /** ISO 8601 time of the action. */
  eventTime: string;
  /** For `CopyObject`: where the object was copied from. */
  copySource?: { bucket: string; object: string };
}

/** What {@linkcode parseR2Event} returns. */
export type ParsedR2Event =
  | { ok: true; value: R2EventMessage }
  | { ok: false; reason: string };

/**
 * Checks that a message body is an R2 event notification (bodies sent as JSON text are
 * parsed first). Unknown extra fields are kept.
 *
 * @example
 * ```ts
 * import { parseR2Event } from "./r2_event.ts";
 * const r = parseR2Event({
 *   account: "a", action: "PutObject", bucket: "b",
 *   object: { key: "raw/shard-000000.tar", size: 10, eTag: "e1" },
 *   eventTime: "2026-12-07T00:00:00Z",
 * });
 * if (!r.ok || r.value.object.key !== "raw/shard-000000.tar") throw new Error();
 * if (parseR2Event({ action: "PutObject" }).ok) throw new Error("no bucket: not an event");
 * ```
 */
export function parseR2Event(body: unknown): ParsedR2Event {
  let value = body;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return { ok: false, reason: "body is text that is not JSON" };
    }
  }
  if (!isObject(value)) return { ok: false, reason: "body is not an object" };
  for (const name of ["account", "action", "bucket", "eventTime"] as const) {
    if (typeof value[name] !== "string") return { ok: false, reason: `"${name}" is not a string` };
  }
  const object = value.object;
  if (!isObject(object) || typeof object.key !== "string" || object.key === "") {
    return { ok: false, reason: `"object.key" is not a non-empty string` };
  }
  if (object.size !== undefined && typeof object.size !== "number") {
    return { ok: false, reason: `"object.size" is not a number` };
  }
  if (object.eTag !== undefined && typeof object.eTag !== "string") {
    return { ok: false, reason: `"object.eTag" is not a string` };
  }
  return { ok: true, value: value as unknown as R2EventMessage };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
