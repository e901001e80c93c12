/**
 * Shards: WebDataset tar files, read and written as streams, with byte offsets.
 *
 * Reading: {@linkcode scanTar} yields tar members (ustar, GNU, PAX; gzip detected) and
 * {@linkcode scanSamples} groups them into {@linkcode TarSample}s by the webdataset key rules,
 * each with the byte range `[offset, offset + size)` that is itself a tar of that sample.
 * Input is a `Uint8Array`, a `ReadableStream<Uint8Array>` or any async iterable of chunks; data
 * is handed out as views of the input chunks where possible (no copy).
 *
 * Writing: {@linkcode TarWriter} builds deterministic ustar bytes ({@linkcode tarStream} as a
 * Web stream); {@linkcode ShardWriter}
 * streams samples into a {@linkcode Store} as `name-%06d.tar` shards, rotating at `maxcount` /
 * `maxsize`, with per-sample and per-shard hooks (offsets, sizes, SHA-256) for manifests.
 * {@linkcode expandBraces} turns `name-{000000..000099}.tar` into shard names.
 *
 * Samples: {@linkcode encodeSample} turns a typed sample into its members by its schema's layout
 * (one atdata `.msgpack` member, or one member per field through the {@linkcode Codec}
 * registered for its extension, see {@linkcode registerCodec}); {@linkcode decodeSample} and the
 * {@linkcode decodeSamples} stage read them back, validated, with typed issues.
 *
 * Errors are {@linkcode ShardError}s with a `code`, the shard, the sample key and the byte
 * offset; readers take `onError: "throw" | "skip" | fn` and report what they skip.
 *
 * @example
 * ```ts
 * import { expandBraces, scanSamples, ShardWriter } from "./mod.ts";
 * import { MemoryStore } from "../store/memory_store.ts";
 *
 * const store = new MemoryStore();
 * const writer = new ShardWriter(store, "ds/shard-%06d.tar", { maxcount: 10 });
 * for (let i = 0; i < 25; i++) {
 *   const label = new TextEncoder().encode(String(i % 3));
 *   await writer.write({ __key__: `sample-${i}`, files: { cls: label } });
 * }
 * const shards = await writer.close();
 * let count = 0;
 * for (const key of expandBraces("ds/shard-{000000..000002}.tar")) {
 *   for await (const sample of scanSamples(await store.getStream(key), { url: key })) {
 *     const one = await store.get(key, { range: { offset: sample.offset, length: sample.size } });
 *     for await (const again of scanSamples(one)) if (again.__key__ !== sample.__key__) throw new Error();
 *     count++;
 *   }
 * }
 * if (count !== 25 || shards.length !== 3) throw new Error(`read ${count} samples`);
 * ```
 *
 * @module
 */
export type { TarSample } from "./tar_sample.ts";
export type { TarEntry } from "./tar_entry.ts";
export {
  type OnError,
  ShardError,
  type ShardErrorCode,
  type ShardErrorOptions,
} from "./shard_error.ts";
export {
  DEFAULT_MAX_MEMBER_SIZE,
  type GzipMode,
  type Scan,
  scanTar,
  type ScanTarOptions,
  type TarSource,
} from "./scan_tar.ts";
export {
  isUnsafePath,
  scanSamples,
  type ScanSamplesOptions,
  splitSampleName,
} from "./scan_samples.ts";
export {
  RECORD_SIZE,
  type SamplePosition,
  TarWriter,
  type TarWriterOptions,
} from "./tar_writer.ts";
export { tarStream, type TarStreamOptions } from "./tar_stream.ts";
export {
  type ShardInfo,
  shardName,
  type ShardSampleInfo,
  type ShardSampleInput,
  ShardWriter,
  type ShardWriterOptions,
} from "./shard_writer.ts";
export { expandBraces } from "./expand_braces.ts";
export { type Codec, codecFor, registerCodec } from "./codecs/codec.ts";
export {
  type EncodedSample,
  encodeSample,
  type EncodeSampleOptions,
} from "./codecs/encode_sample.ts";
export {
  type DecodedSample,
  decodeSample,
  type DecodeSampleResult,
  sampleError,
} from "./codecs/decode_sample.ts";
export { decodeSamples, type DecodeSamplesOptions } from "./codecs/decode_samples.ts";
export {
  decodeMsgpack,
  decodeMsgpackSample,
  encodeMsgpackSample,
  encodeMsgpackValue,
  msgpackCodec,
} from "./codecs/msgpack_codec.ts";
export { decodeNdarrayBytes, encodeNdarrayBytes } from "./codecs/ndarray_bytes.ts";
export { decodeNpy, encodeNpy, isNpy, npyCodec } from "./codecs/npy.ts";
export { jsonCodec } from "./codecs/json_codec.ts";
export { clsCodec, txtCodec } from "./codecs/text_codecs.ts";
export { rawCodec } from "./codecs/raw_codec.ts";
