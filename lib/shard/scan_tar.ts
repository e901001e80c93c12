/**
 * {@linkcode scanTar}: lazily stream the members of a tar (ustar, GNU, PAX, optionally gzip).
 *
 * @module
 */

import { parseBatches } from "./_batches.ts";
import type { GzipMode, TarSource } from "./_source.ts";
import { type OnError, ShardError } from "./shard_error.ts";
import type { TarEntry } from "./tar_entry.ts";

export type { GzipMode, TarSource };

/** Options of {@linkcode scanTar}. */
export interface ScanTarOptions {
  /** The shard URL or key, named in errors. */
  url?: string;
  /**
   * Largest member accepted, in bytes. A bigger member is a `"member_too_large"` error; with
   * `"skip"` its data is skipped without being buffered.
   * @default {1073741824} (1 GiB)
   */
  maxMemberSize?: number;
  /** Gunzip the input: `"auto"` detects the `1f 8b` magic. @default {"auto"} */
  gzip?: GzipMode;
  /**
   * What to do with a bad member (`"member_too_large"`, `"invalid_name"`): throw, skip it, or
   * pass it to a function and skip it. Errors after which the stream cannot be resynchronised
   * (`"checksum_mismatch"`, `"invalid_header"`, `"truncated"`, `"invalid_gzip"`, `"empty_shard"`) end the scan:
   * thrown under `"throw"`, reported under the other two.
   * @default {"throw"}
   */
  onError?: OnError;
  /**
   * Where skipped errors are recorded (under `"skip"` or a function `onError`); the returned
   * scan's `skipped` is this array. @default a new array
   */
  skipped?: ShardError[];
}

/** Default of {@linkcode ScanTarOptions.maxMemberSize}: 1 GiB. */
export const DEFAULT_MAX_MEMBER_SIZE = 1 << 30;

/**
 * Streams the members of a tar archive, one {@linkcode TarEntry} at a time, with each member's
 * byte offsets. Extension headers (PAX `x`/`g`, GNU `L`/`K`) are applied, not yielded.
 * The returned scan's `skipped` lists the errors skipped so far.
 *
 * @example
 * ```ts
 * import { scanTar } from "./scan_tar.ts";
 * import { TarWriter } from "./tar_writer.ts";
 * const tar = new TarWriter();
 * tar.writeFile("a/b.txt", new TextEncoder().encode("hi"));
 * const bytes = tar.finishBytes();
 * for await (const entry of scanTar(bytes)) {
 *   if (entry.name !== "a/b.txt" || entry.size !== 2 || entry.headerOffset !== 0) {
 *     throw new Error("unexpected entry");
 *   }
 * }
 * ```
 */
export function scanTar(source: TarSource, options: ScanTarOptions = {}): Scan<TarEntry> {
  const skipped = options.skipped ?? [];
  return Object.assign(entries(source, options, skipped), { skipped });
}

/** A lazy scan: an async generator that also exposes the errors it skipped so far. */
export type Scan<T> = AsyncGenerator<T> & {
  /** Errors reported and skipped under `onError: "skip"` or a function `onError`. */
  readonly skipped: ShardError[];
};

async function* entries(
  source: TarSource,
  options: ScanTarOptions,
  skipped: ShardError[],
): AsyncGenerator<TarEntry> {
  const { url, onError = "throw" } = options;
  const report = (error: ShardError) => {
    if (onError === "throw") throw error;
    skipped.push(error);
    if (typeof onError === "function") onError(error);
  };
  const batches = parseBatches(source, {
    url,
    maxMemberSize: options.maxMemberSize ?? DEFAULT_MAX_MEMBER_SIZE,
    gzip: options.gzip ?? "auto",
  });
  try {
    for await (const batch of batches) {
      for (const entry of batch) {
        if (entry.error !== undefined) {
          report(entry.error.with({ shard: url }));
          continue;
        }
        yield entry;
      }
    }
  } catch (error) {
    if (error instanceof ShardError) report(error);
    else throw error;
  }
}
