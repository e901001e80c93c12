/**
 * The {@linkcode Store} interface: the small object-store contract every backend implements.
 *
 * Keys are `/`-separated paths relative to the store's root (no leading `/`, no `..`).
 *
 * @module
 */

/** Metadata of one stored object. */
export interface ObjectInfo {
  /** Key relative to the store root. */
  key: string;
  /** Size in bytes. */
  size: number;
  /** Entity tag, when the backend has one. */
  etag?: string;
  /** Last modification time, when the backend has one. */
  lastModified?: Date;
}

/**
 * A byte range: `length` bytes from `offset` (to the end when `length` is omitted). Ranges are
 * clamped to the object's end (an offset at or past the end reads zero bytes); a negative or
 * fractional `offset` or `length` throws a `RangeError`.
 */
export interface ByteRange {
  offset: number;
  length?: number;
}

/** Options for {@linkcode Store.get} and {@linkcode Store.getStream}. */
export interface GetOptions {
  /** Read only this byte range. */
  range?: ByteRange;
}

/** Options for {@linkcode Store.put}. */
export interface PutOptions {
  /**
   * `"*"`: create-only. The put fails with a {@linkcode StoreError} of code `"already_exists"`
   * when the key exists.
   */
  ifNoneMatch?: "*";
  /** MIME type recorded with the object, when the backend keeps one. */
  contentType?: string;
}

/** Options for {@linkcode Store.list}. */
export interface ListOptions {
  /** List only direct children (like `ls`), returning common prefixes as `{ key: "dir/", size: 0 }`. */
  delimiter?: "/";
}

/** The body of a put. */
export type PutBody = Uint8Array | string | ReadableStream<Uint8Array>;

/** The object-store contract. Writes are atomic: a reader never sees a half-written object. */
export interface Store {
  /** The store's URL, e.g. `file:///abs/data` or `s3://bucket/prefix`. Never holds secrets. */
  readonly url: string;
  /** Reads a whole object (or a range). Rejects with code `"not_found"` when absent. */
  get(key: string, options?: GetOptions): Promise<Uint8Array>;
  /** Streams an object (or a range). Rejects with code `"not_found"` when absent. */
  getStream(key: string, options?: GetOptions): Promise<ReadableStream<Uint8Array>>;
  /** Writes an object atomically. */
  put(key: string, body: PutBody, options?: PutOptions): Promise<void>;
  /** Object metadata, or `undefined` when absent. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Lists objects whose key starts with `prefix`, in lexicographic key order, paginating internally. */
  list(prefix: string, options?: ListOptions): AsyncIterable<ObjectInfo>;
  /** Deletes an object; deleting an absent key is not an error. */
  delete(key: string): Promise<void>;
  /**
   * Deletes many objects in as few calls as the backend allows (S3: `DeleteObjects`, 1,000 keys
   * a call); absent keys are not an error. Optional: {@linkcode deleteKeys} falls back to
   * {@linkcode Store.delete} per key for a store without it.
   */
  deleteMany?(keys: readonly string[]): Promise<void>;
  /** Releases resources (HTTP agents, handles). */
  close?(): Promise<void>;
}
