/**
 * {@linkcode R2EventSchema}: an R2 event notification as Cloudflare documents it (the message
 * a bucket's notification rule puts on a Queue), validated with zod:
 *
 * ```json
 * {"account": "3f4b...", "action": "PutObject", "bucket": "my-bucket",
 *  "object": {"key": "raw/shard-000001.tar", "size": 65536, "eTag": "c846..."},
 *  "eventTime": "2024-05-24T19:36:44.379Z",
 *  "copySource": {"bucket": "my-bucket", "object": "old-key"}}
 * ```
 *
 * `size` and `eTag` are absent on deletions; `copySource` only on `CopyObject`. Members not
 * listed are kept (a newer notification format adds fields: they pass through).
 *
 * @module
 */
import { z } from "zod";

/**
 * The zod schema of one R2 event notification.
 *
 * @example
 * ```ts
 * import { R2EventSchema } from "./r2_event.ts";
 * const event = R2EventSchema.parse({
 *   account: "acc", action: "PutObject", bucket: "b",
 *   object: { key: "raw/shard-000001.tar", size: 10, eTag: "e" },
 *   eventTime: "2024-05-24T19:36:44.379Z",
 * });
 * if (event.object.key !== "raw/shard-000001.tar") throw new Error();
 * ```
 */
export const R2EventSchema = z.looseObject({
  account: z.string().min(1),
  action: z.enum([
    "PutObject",
    "CopyObject",
    "CompleteMultipartUpload",
    "DeleteObject",
    "LifecycleDeletion",
  ]),
  bucket: z.string().min(1),
  object: z.looseObject({
    key: z.string().min(1),
    size: z.number().int().nonnegative().optional(),
    eTag: z.string().optional(),
  }),
  eventTime: z.iso.datetime({ offset: true }),
  copySource: z.looseObject({ bucket: z.string(), object: z.string() }).optional(),
});

/** One R2 event notification. */
export type R2Event = z.infer<typeof R2EventSchema>;
