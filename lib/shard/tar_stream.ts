/**
 * {@linkcode tarStream}: samples in, tar bytes out, as a Web `ReadableStream`.
 *
 * @module
 */

import type { ShardSampleInput } from "./shard_writer.ts";
import { type SamplePosition, TarWriter, type TarWriterOptions } from "./tar_writer.ts";

/** Options of {@linkcode tarStream}. */
export interface TarStreamOptions extends TarWriterOptions {
  /** Called with each sample's key and byte range as it is written. */
  onSample?: (info: SamplePosition & { key: string }) => void;
}

/**
 * Streams samples as one tar: pulls a sample from `samples` whenever the consumer wants more
 * bytes, writes it with a {@linkcode TarWriter}, and ends the archive when `samples` ends.
 * Cancelling the stream returns the iterator.
 *
 * @example
 * ```ts
 * import { tarStream } from "./tar_stream.ts";
 * import { scanSamples } from "./scan_samples.ts";
 * const samples = [1, 2, 3].map((i) => ({ __key__: `s${i}`, files: { cls: new TextEncoder().encode(String(i)) } }));
 * let n = 0;
 * for await (const s of scanSamples(tarStream(samples))) n += s.files.cls!.length;
 * if (n !== 3) throw new Error("expected three samples");
 * ```
 */
export function tarStream(
  samples: Iterable<ShardSampleInput> | AsyncIterable<ShardSampleInput>,
  options: TarStreamOptions = {},
): ReadableStream<Uint8Array> {
  const tar = new TarWriter(options);
  const it = Symbol.asyncIterator in samples
    ? samples[Symbol.asyncIterator]()
    : (samples as Iterable<ShardSampleInput>)[Symbol.iterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      while (true) {
        const next = await it.next();
        if (next.done) {
          for (const chunk of tar.finish()) controller.enqueue(chunk);
          controller.close();
          return;
        }
        const { __key__: key, files } = next.value;
        const position = tar.writeSample(key, files);
        options.onSample?.({ key, ...position });
        const chunks = tar.take();
        for (const chunk of chunks) controller.enqueue(chunk);
        if (chunks.length > 0) return;
      }
    },
    async cancel() {
      await it.return?.();
    },
  }, { highWaterMark: 1 << 20, size: (chunk) => chunk.byteLength });
}
