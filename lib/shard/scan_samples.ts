/**
 * {@linkcode scanSamples}: group tar members into WebDataset samples, with byte ranges.
 *
 * @module
 */

import { parseBatches } from "./_batches.ts";
import type { ParsedEntry } from "./_tar_parser.ts";
import {
  DEFAULT_MAX_MEMBER_SIZE,
  type Scan,
  type ScanTarOptions,
  type TarSource,
} from "./scan_tar.ts";
import { ShardError } from "./shard_error.ts";
import type { TarSample } from "./tar_sample.ts";

/** Options of {@linkcode scanSamples}: those of `scanTar`, applied per sample. */
export interface ScanSamplesOptions extends ScanTarOptions {}

/**
 * The WebDataset key/extension split of a member name: key = directory prefix plus the
 * basename up to its first dot, ext = the rest, lowercased. `undefined` for names that are no
 * sample file: meta files (`__*__` without a directory) and basenames without a dot before
 * which something stands.
 *
 * @example
 * ```ts
 * import { splitSampleName } from "./scan_samples.ts";
 * const split = splitSampleName("a/b.Seg.PNG");
 * if (split?.key !== "a/b" || split.ext !== "seg.png") throw new Error("unexpected split");
 * ```
 */
export function splitSampleName(name: string): { key: string; ext: string } | undefined {
  const dot = keyEnd(name);
  return dot < 0 ? undefined : { key: name.slice(0, dot), ext: lower(name.slice(dot + 1)) };
}

/** Index of the dot that ends the key, or -1 when `name` is no sample file. */
function keyEnd(name: string): number {
  const slash = name.lastIndexOf("/");
  if (slash < 0 && name.startsWith("__") && name.endsWith("__")) return -1; // meta file
  const dot = name.indexOf(".", slash + 1);
  return dot <= slash + 1 ? -1 : dot; // no dot, or nothing before it (".hidden")
}

function lower(ext: string): string {
  for (let i = 0; i < ext.length; i++) {
    const c = ext.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a) || c >= 0x80) return ext.toLowerCase();
  }
  return ext;
}

/** True for absolute names (`/x`, `C:/x`, `C:\\x`) and names with a `..` segment. */
export function isUnsafePath(name: string): boolean {
  const c0 = name.charCodeAt(0);
  if (c0 === 0x2f || c0 === 0x5c) return true;
  const c2 = name.charCodeAt(2);
  if (name.charCodeAt(1) === 0x3a && (c2 === 0x2f || c2 === 0x5c)) return true;
  return name.includes("..") && /(?:^|[\\/])\.\.(?:[\\/]|$)/.test(name);
}

function setFile(files: Record<string, Uint8Array>, ext: string, data: Uint8Array): void {
  if (ext === "__proto__") {
    Object.defineProperty(files, ext, {
      value: data,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else files[ext] = data;
}

/** True when `entry` is a sample file (a regular file with a key) whose key is not `key`. */
function startsOtherSample(entry: ParsedEntry, key: string): boolean {
  if (entry.type !== "0" && entry.type !== "7") return false;
  const dot = keyEnd(entry.name);
  return dot >= 0 && entry.name.slice(0, dot) !== key;
}

interface Group {
  key: string;
  offset: number;
  end: number;
  files: Record<string, Uint8Array>;
  bad: boolean;
}

/** The finished sample of a group of members from the shard at `url`. */
function groupSample(group: Group, url: string): TarSample {
  return {
    __key__: group.key,
    __url__: url,
    offset: group.offset,
    size: group.end - group.offset,
    files: group.files,
  };
}

/**
 * Streams the WebDataset samples of a tar: consecutive regular-file members sharing a key
 * (directory prefix plus basename up to the first dot) form one {@linkcode TarSample} whose
 * `files` map lowercased extensions to member data. Meta files (`__*__`), names without a dot
 * and non-regular members are skipped, as webdataset does.
 *
 * `[offset, offset + size)` of each sample is a tar of exactly its members (their PAX or GNU
 * extension headers included; members webdataset skips, such as directories, can sit between
 * members of one sample and then fall inside the range too).
 *
 * Errors: an unsafe path (absolute, `..`), an invalid UTF-8 name, a member over
 * `maxMemberSize` or a duplicate extension spoil their whole sample, which `"skip"` drops and
 * reports (in the returned scan's `skipped`) before going on (members that are no sample files, such as directories or
 * `__meta__`, are skipped whatever their size or name). A checksum mismatch, malformed header or truncation ends the scan;
 * under `"skip"` it is reported and the sample in progress is dropped, unless the input ended
 * inside the data of a member of another key whose header was read: that sample is complete
 * and yielded before the error. A 0-byte input is an `"empty_shard"` error.
 *
 * @example
 * ```ts
 * import { scanSamples } from "./scan_samples.ts";
 * import { TarWriter } from "./tar_writer.ts";
 * const tar = new TarWriter();
 * const bytes = (s: string) => new TextEncoder().encode(s);
 * tar.writeSample("cat-1", { "jpg": bytes("jpeg..."), "cls": bytes("3") });
 * const { offset, size } = tar.writeSample("cat-2", { "jpg": bytes("jpeg..."), "cls": bytes("5") });
 * const shard = tar.finishBytes();
 * const samples = [];
 * for await (const s of scanSamples(shard, { url: "demo.tar" })) samples.push(s);
 * if (samples.length !== 2 || samples[1]!.offset !== offset || samples[1]!.size !== size) {
 *   throw new Error("unexpected samples");
 * }
 * ```
 */
export function scanSamples(source: TarSource, options: ScanSamplesOptions = {}): Scan<TarSample> {
  const skipped = options.skipped ?? [];
  return Object.assign(samples(source, options, skipped), { skipped });
}

async function* samples(
  source: TarSource,
  options: ScanSamplesOptions,
  skipped: ShardError[],
): AsyncGenerator<TarSample> {
  const url = options.url ?? "";
  const shard = options.url;
  const { onError = "throw" } = options;
  const report = (error: ShardError) => {
    if (onError === "throw") throw error;
    skipped.push(error);
    if (typeof onError === "function") onError(error);
  };
  let cur: Group | undefined;
  let partial: ParsedEntry | undefined;
  const batches = parseBatches(source, {
    url: shard,
    maxMemberSize: options.maxMemberSize ?? DEFAULT_MAX_MEMBER_SIZE,
    gzip: options.gzip ?? "auto",
    onPartial: (entry) => void (partial = entry),
  });

  // Starts a group for `key`, returning the finished previous one (if it should be yielded).
  const open = (key: string, entry: ParsedEntry): TarSample | undefined => {
    const done = cur;
    cur = { key, offset: entry.headerOffset, end: entry.end, files: {}, bad: false };
    if (done === undefined || done.bad) return undefined;
    return groupSample(done, url);
  };
  const spoil = (error: ShardError, key: string, entry: ParsedEntry): TarSample | undefined => {
    const done = cur?.key === key ? undefined : open(key, entry);
    cur!.end = entry.end;
    if (cur!.bad) return done; // one report per sample
    cur!.bad = true;
    report(error.with({ shard, key, offset: entry.headerOffset, path: entry.name }));
    return done;
  };

  try {
    for await (const batch of batches) {
      for (let i = 0; i < batch.length; i++) {
        const entry = batch[i]!;
        let done: TarSample | undefined;
        const type = entry.type;
        if (type !== "0" && type !== "7") continue; // only regular files are samples
        const name = entry.name;
        const dot = keyEnd(name);
        if (dot < 0) continue; // meta files, names without an extension: not sample files
        const key = name.slice(0, dot);
        if (entry.error !== undefined) {
          done = spoil(entry.error, key, entry);
          if (done !== undefined) yield done;
          continue;
        }
        const ext = lower(name.slice(dot + 1));
        if (cur !== undefined && cur.key === key) {
          cur.end = entry.end;
          if (cur.bad) continue;
          if (isUnsafePath(name)) {
            done = spoil(
              new ShardError("unsafe_path", `unsafe member name ${JSON.stringify(name)}`),
              key,
              entry,
            );
          } else if (Object.hasOwn(cur.files, ext)) {
            const detail = `duplicate extension ${JSON.stringify(ext)}`;
            done = spoil(new ShardError("duplicate_extension", detail), key, entry);
          } else setFile(cur.files, ext, entry.data);
        } else if (isUnsafePath(name)) {
          done = spoil(
            new ShardError("unsafe_path", `unsafe member name ${JSON.stringify(name)}`),
            key,
            entry,
          );
        } else {
          done = open(key, entry);
          setFile(cur!.files, ext, entry.data);
        }
        if (done !== undefined) yield done;
      }
    }
  } catch (error) {
    if (!(error instanceof ShardError)) throw error;
    const pending = cur !== undefined && !cur.bad ? cur : undefined;
    cur = undefined;
    // The input ended inside a sample file of another key, whose header was read: the sample
    // in progress ended before it, complete.
    if (pending !== undefined && partial !== undefined && startsOtherSample(partial, pending.key)) {
      yield groupSample(pending, url);
      return report(error);
    }
    // Otherwise it may continue past the unreadable part: it is dropped, and counted.
    report(error);
    if (pending !== undefined) {
      const detail = `sample dropped: it may continue past byte ${error.offset ?? "?"}, ` +
        `where the shard cannot be read (${error.code})`;
      report(
        new ShardError(error.code, detail, {
          shard,
          key: pending.key,
          offset: pending.offset,
          cause: error,
        }),
      );
    }
  }
  if (cur !== undefined && !cur.bad) yield groupSample(cur, url);
}
