/**
 * Drives {@linkcode TarParser} over a source, yielding the entries parsed from each chunk as
 * one batch (private). Batching keeps the per-entry cost synchronous: one `await` per chunk.
 *
 * @module
 */

import { type ParsedEntry, TarParser } from "./_tar_parser.ts";
import { type GzipMode, tarChunks, type TarSource } from "./_source.ts";

/** Options of {@linkcode parseBatches}. */
export interface BatchOptions {
  maxMemberSize: number;
  gzip: GzipMode;
  url?: string;
  /**
   * Called before the fatal error is thrown, with the member the input ended inside (its
   * header read, its data incomplete), when there is one.
   */
  onPartial?: (entry: ParsedEntry) => void;
}

/**
 * Yields batches of parsed entries. Throws the parser's fatal `ShardError` (with the shard
 * URL filled in) after yielding the entries that preceded it.
 */
export async function* parseBatches(
  source: TarSource,
  options: BatchOptions,
): AsyncGenerator<ParsedEntry[]> {
  const parser = new TarParser(options.maxMemberSize);
  const chunks = tarChunks(source, options.gzip, options.url);
  try {
    for await (const chunk of chunks) {
      const out: ParsedEntry[] = [];
      parser.push(chunk, out);
      if (out.length > 0) yield out;
      if (parser.done) break;
    }
    if (!parser.done) parser.end();
  } finally {
    await chunks.return(undefined);
  }
  if (parser.partial) options.onPartial?.(parser.partial);
  if (parser.fatal) throw parser.fatal.with({ shard: options.url });
}
