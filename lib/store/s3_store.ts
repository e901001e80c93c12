/**
 * {@linkcode S3Store}: a {@linkcode Store} over an S3-compatible bucket (Cloudflare R2, AWS S3,
 * MinIO, s3rver), under an optional key prefix.
 *
 * @module
 */
import type { S3Client, S3ClientConfig } from "@aws-sdk/client-s3";
import type { GetOptions, ListOptions, ObjectInfo, PutBody, PutOptions, Store } from "./store.ts";
import { assertKey, assertPrefix, assertRange, compareKeys } from "./_keys.ts";
import { StoreError } from "./store_error.ts";
import { rangeHeader, trimBytes, trimFor, trimStream } from "./_s3_range.ts";
import {
  isDroppedConnection,
  isInvalidRange,
  isNotFound,
  missingCredentials,
  s3Error,
} from "./_s3_error.ts";

/** Static S3 credentials. */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Connection and tuning options of an S3 store (also `OpenStoreOptions.s3`). */
export interface S3Options {
  /** Endpoint URL, e.g. `https://<account>.r2.cloudflarestorage.com`. @default AWS's endpoint */
  endpoint?: string;
  /** Region. @default "auto" (what R2 expects) */
  region?: string;
  /** Credentials; requests fail with code `"io"` without them (no ambient lookup). @default undefined */
  credentials?: S3Credentials;
  /** Path-style URLs (`endpoint/bucket/key`), needed by s3rver. @default true when `endpoint` is set */
  forcePathStyle?: boolean;
  /** Part size of multipart uploads, at least 5 MiB; bodies up to it go in one PUT. @default 8 MiB */
  partSize?: number;
  /** Parts uploaded concurrently by a multipart upload. @default 4 */
  queueSize?: number;
  /** Keys per ListObjectsV2 page (1-1000). @default 1000 */
  listPageSize?: number;
}

/** Options for {@linkcode S3Store}. */
export interface S3StoreOptions extends S3Options {
  /** Key prefix inside the bucket, without leading or trailing `/`. @default "" */
  prefix?: string;
  /** Use this client instead of building one from the options (then `close()` leaves it open). */
  client?: S3Client;
}

const MIB = 1024 * 1024;

/** Whole reads of one get when the connection drops mid-body. */
const BODY_ATTEMPTS = 3;

type Sdk = typeof import("@aws-sdk/client-s3");
let sdk: Promise<Sdk> | undefined;
/** Keys per `DeleteObjects` call (the S3 maximum). */
const DELETE_BATCH = 1000;

let storage: Promise<typeof import("@aws-sdk/lib-storage")> | undefined;

/**
 * The AWS SDK, imported on first use (it is slow to import): whatever imports shardline without using S3
 * (a job's bundle, a local worker) does not pay for it.
 */
function loadSdk(): Promise<Sdk> {
  return sdk ??= import("@aws-sdk/client-s3");
}

/**
 * A {@linkcode Store} over an S3-compatible bucket. Ranged reads use `Range: bytes=a-b`;
 * stream puts and large byte puts go through `@aws-sdk/lib-storage` multipart uploads with a
 * fixed part size, which S3 makes visible only on completion (and aborts on failure), so no
 * half-written object is ever visible.
 *
 * Create-only puts first HEAD the key and then send `If-None-Match: *`. The HEAD catches
 * sequential conflicts on every server; the race-free guarantee rests on the server honoring
 * `If-None-Match` (R2 and AWS S3 do and answer 412; s3rver ignores it).
 *
 * @example
 * ```ts ignore
 * import { S3Store } from "./s3_store.ts";
 * const store = new S3Store("my-bucket", {
 *   prefix: "datasets",
 *   endpoint: "https://ACCOUNT.r2.cloudflarestorage.com",
 *   credentials: { accessKeyId: "...", secretAccessKey: "..." },
 * });
 * await store.put("mnist/shard-000000.tar", new Uint8Array(10));
 * await store.close();
 * ```
 */
export class S3Store implements Store {
  /** `s3://bucket/prefix`: no endpoint, no credentials. */
  readonly url: string;
  /** The bucket. */
  readonly bucket: string;
  /** The key prefix inside the bucket (`""` or ending in `/`). */
  readonly keyPrefix: string;
  #client: S3Client | undefined;
  #config: S3ClientConfig | undefined;
  readonly #ownsClient: boolean;
  readonly #partSize: number;
  readonly #queueSize: number;
  readonly #pageSize: number;

  constructor(bucket: string, options: S3StoreOptions = {}) {
    const prefix = (options.prefix ?? "").replace(/^\/+|\/+$/g, "");
    this.bucket = bucket;
    this.keyPrefix = prefix ? `${prefix}/` : "";
    this.url = `s3://${bucket}${prefix ? `/${prefix}` : ""}`;
    if (prefix) assertKey(prefix, this.url);
    this.#partSize = options.partSize ?? 8 * MIB;
    this.#queueSize = options.queueSize ?? 4;
    this.#pageSize = options.listPageSize ?? 1000;
    if (!(this.#partSize >= 5 * MIB)) throw new RangeError(`partSize must be at least 5 MiB`);
    if (!(this.#pageSize >= 1 && this.#pageSize <= 1000)) {
      throw new RangeError(`listPageSize must be between 1 and 1000`);
    }
    this.#ownsClient = !options.client;
    this.#client = options.client;
    if (!this.#client) {
      this.#config = {
        endpoint: options.endpoint,
        region: options.region ?? "auto",
        credentials: options.credentials ?? missingCredentials(this.url),
        forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
      };
    }
  }

  /** The SDK and the client (built on first use). */
  async #sdk(): Promise<{ aws: Sdk; client: S3Client }> {
    const aws = await loadSdk();
    this.#client ??= new aws.S3Client(this.#config!);
    return { aws, client: this.#client };
  }

  #key(key: string): string {
    assertKey(key, this.url);
    return this.keyPrefix + key;
  }

  async #getObject(key: string, options: GetOptions) {
    const Key = this.#key(key);
    assertRange(options.range);
    const range = options.range;
    try {
      if (range?.length === 0) {
        if (!await this.head(key)) throw s3Error("read", key, this.url, { name: "NoSuchKey" });
        return undefined;
      }
      const { aws, client } = await this.#sdk();
      const out = await client.send(
        new aws.GetObjectCommand({
          Bucket: this.bucket,
          Key,
          Range: range ? rangeHeader(range) : undefined,
        }),
      );
      if (!out.Body) throw new Error("the response has no body");
      return { body: out.Body, trim: range ? trimFor(range, out.ContentRange) : undefined };
    } catch (err) {
      // 416: the range starts at or past the end of an existing object: nothing to read.
      if (range && isInvalidRange(err)) return undefined;
      throw s3Error("read", key, this.url, err);
    }
  }

  /** Reads a whole object, or a range of it (clamped to the object's end). */
  async get(key: string, options: GetOptions = {}): Promise<Uint8Array> {
    for (let attempt = 1;; attempt++) {
      const got = await this.#getObject(key, options);
      if (!got) return new Uint8Array(0);
      try {
        const bytes = await got.body.transformToByteArray();
        return got.trim ? trimBytes(bytes, got.trim) : bytes;
      } catch (err) {
        // The connection dropped mid-body (a busy server, a flaky network): read it again.
        if (attempt < BODY_ATTEMPTS && isDroppedConnection(err)) continue;
        throw s3Error("read", key, this.url, err);
      }
    }
  }

  /** Streams an object or a range of it. */
  async getStream(key: string, options: GetOptions = {}): Promise<ReadableStream<Uint8Array>> {
    const got = await this.#getObject(key, options);
    if (!got) return new ReadableStream({ start: (c) => c.close() });
    const stream = got.body.transformToWebStream() as ReadableStream<Uint8Array>;
    return got.trim ? trimStream(stream, got.trim) : stream;
  }

  /** Writes an object: one PUT up to `partSize`, a multipart upload for streams and larger bodies. */
  async put(key: string, body: PutBody, options: PutOptions = {}): Promise<void> {
    const Key = this.#key(key);
    const createOnly = options.ifNoneMatch === "*";
    const op = createOnly ? "create" : "write";
    // s3rver ignores If-None-Match, so look first; R2 and S3 also enforce it atomically below.
    if (createOnly && await this.head(key)) {
      throw s3Error("create", key, this.url, { name: "PreconditionFailed" });
    }
    const params = {
      Bucket: this.bucket,
      Key,
      ContentType: options.contentType,
      IfNoneMatch: createOnly ? "*" : undefined,
    };
    try {
      const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
      const { aws, client } = await this.#sdk();
      if (bytes instanceof Uint8Array && bytes.byteLength <= this.#partSize) {
        await client.send(
          new aws.PutObjectCommand({ ...params, Body: bytes, ContentLength: bytes.byteLength }),
        );
        return;
      }
      const { Upload } = await (storage ??= import("@aws-sdk/lib-storage"));
      const upload = new Upload({
        client,
        params: { ...params, Body: bytes },
        partSize: this.#partSize,
        queueSize: this.#queueSize,
      });
      await upload.done();
    } catch (err) {
      throw s3Error(op, key, this.url, err);
    }
  }

  /** Object metadata, or `undefined` when absent. */
  async head(key: string): Promise<ObjectInfo | undefined> {
    const Key = this.#key(key);
    try {
      const { aws, client } = await this.#sdk();
      const out = await client.send(new aws.HeadObjectCommand({ Bucket: this.bucket, Key }));
      return { key, size: out.ContentLength ?? 0, etag: out.ETag, lastModified: out.LastModified };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw s3Error("stat", key, this.url, err);
    }
  }

  /** Lists keys starting with `prefix` in byte order, following continuation tokens. */
  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ObjectInfo> {
    assertPrefix(prefix, this.url);
    const cut = this.keyPrefix.length;
    let token: string | undefined;
    let last: string | undefined;
    do {
      let out;
      try {
        const { aws, client } = await this.#sdk();
        out = await client.send(
          new aws.ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: this.keyPrefix + prefix,
            Delimiter: options.delimiter,
            ContinuationToken: token,
            MaxKeys: this.#pageSize,
          }),
        );
      } catch (err) {
        throw s3Error("list", prefix, this.url, err);
      }
      const page: ObjectInfo[] = [];
      for (const o of out.Contents ?? []) {
        if (o.Key && o.Key.length > cut) {
          page.push({
            key: o.Key.slice(cut),
            size: o.Size ?? 0,
            etag: o.ETag,
            lastModified: o.LastModified,
          });
        }
      }
      for (const p of out.CommonPrefixes ?? []) {
        if (p.Prefix && p.Prefix.length > cut) page.push({ key: p.Prefix.slice(cut), size: 0 });
      }
      // Each page holds objects and common prefixes as two sorted lists: merge them, and never
      // repeat a common prefix that a lax server lists again on the next page.
      for (const info of page.sort((a, b) => compareKeys(a.key, b.key))) {
        if (last !== undefined && compareKeys(info.key, last) <= 0) continue;
        last = info.key;
        yield info;
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
  }

  /** Deletes an object; absent keys are fine. */
  async delete(key: string): Promise<void> {
    const Key = this.#key(key);
    try {
      const { aws, client } = await this.#sdk();
      await client.send(new aws.DeleteObjectCommand({ Bucket: this.bucket, Key }));
    } catch (err) {
      if (isNotFound(err)) return;
      throw s3Error("delete", key, this.url, err);
    }
  }

  /**
   * Deletes many objects with `DeleteObjects`, 1,000 keys a call (absent keys are fine). A key
   * the server refuses rejects with a `StoreError` naming it, after every batch was sent.
   */
  async deleteMany(keys: readonly string[]): Promise<void> {
    const full = keys.map((key) => this.#key(key));
    const { aws, client } = await this.#sdk();
    const refused: { key: string; message: string }[] = [];
    for (let start = 0; start < full.length; start += DELETE_BATCH) {
      const batch = full.slice(start, start + DELETE_BATCH);
      let out;
      try {
        out = await client.send(
          new aws.DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        );
      } catch (err) {
        throw s3Error("delete", keys[start]!, this.url, err);
      }
      for (const e of out.Errors ?? []) {
        if (e.Code === "NoSuchKey") continue;
        const key = (e.Key ?? "").slice(this.keyPrefix.length);
        refused.push({ key, message: `${e.Code ?? "Error"}: ${e.Message ?? ""}` });
      }
    }
    const [first] = refused;
    if (first) {
      throw new StoreError(
        "io",
        `Cannot delete "${first.key}" in ${this.url}: ${first.message}` +
          (refused.length > 1 ? ` (and ${refused.length - 1} more keys)` : ""),
        { key: first.key, url: this.url },
      );
    }
  }

  /** Destroys the HTTP client (unless it was passed in). */
  close(): Promise<void> {
    if (this.#ownsClient) this.#client?.destroy();
    return Promise.resolve();
  }
}
