/**
 * {@linkcode JobRequestSchema}: the body of `POST /jobs`, validated with zod. It names stored
 * job code by its SHA-256 (the client stored the bundle at `_code/<hash>.js` first: see
 * `submit({ backend: "http" })`) and carries only plain job settings: unknown members (store
 * options, credentials, a backend) are refused, not ignored.
 *
 * @module
 */
import { z } from "zod";
import type { JobRequest } from "../exec/mod.ts";

const count = z.number().int().positive();
const name = z.string().min(1).max(1024);

/**
 * The zod schema of a job request.
 *
 * @example
 * ```ts
 * import { JobRequestSchema } from "./job_request.ts";
 * const ok = JobRequestSchema.safeParse({
 *   code: { hash: "a".repeat(64) },
 *   input: "raw",
 *   output: "scored",
 * });
 * const bad = JobRequestSchema.safeParse({ code: { hash: "nope" }, input: "raw" });
 * if (!ok.success || bad.success) throw new Error();
 * const base = { code: { hash: "a".repeat(64) }, input: "raw", output: "o" };
 * if (!JobRequestSchema.safeParse({ ...base, compactAt: false }).success) throw new Error();
 * if (JobRequestSchema.safeParse({ ...base, compactAt: 0 }).success) throw new Error();
 * ```
 */
export const JobRequestSchema = z.strictObject({
  code: z.strictObject({
    hash: z.string().regex(/^[0-9a-f]{64}$/, "expected the SHA-256 hex of the stored bundle"),
  }),
  module: z.string().max(4096).optional(),
  input: z.union([name, z.array(name).min(1).max(10_000)]),
  output: name,
  params: z.record(z.string(), z.unknown()).optional(),
  concurrency: count.max(10_000).optional(),
  shardsPerTask: count.optional(),
  samplesPerTask: count.optional(),
  maxAttempts: count.max(100).optional(),
  backoffMs: z.number().int().nonnegative().optional(),
  maxFailedTaskFraction: z.number().min(0).max(1).optional(),
  heartbeatMs: count.optional(),
  taskTimeoutMs: count.optional(),
  maxcount: count.optional(),
  maxsize: count.optional(),
  compactAt: z.union([count, z.literal(false)]).optional(),
});

// The schema and the TypeScript type of a request agree (compile-time check, both ways).
type Parsed = z.infer<typeof JobRequestSchema>;
const _agree: [Parsed] extends [JobRequest] ? [JobRequest] extends [Parsed] ? true : false
  : false = true;
void _agree;
