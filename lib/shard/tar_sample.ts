/**
 * The raw (undecoded) WebDataset sample as the tar reader groups it.
 *
 * @module
 */

/**
 * One WebDataset sample: consecutive tar members sharing a key.
 *
 * `offset` is the byte offset in the shard of the sample's first header block (a PAX or GNU
 * long-name header included), and `size` runs through the last padded data block, so the byte
 * range `[offset, offset + size)` of the shard is itself a tar holding exactly this sample.
 */
export interface TarSample {
  /** The sample key: directory prefix plus basename up to its first dot. */
  __key__: string;
  /** Where the sample came from (the shard URL or key). */
  __url__: string;
  /** Byte offset of the sample's first header block. */
  offset: number;
  /** Bytes from `offset` through the end of the last member's padded data. */
  size: number;
  /** Member payloads by lowercased extension (`"jpg"`, `"seg.png"`, `"msgpack"`). */
  files: Record<string, Uint8Array>;
}
