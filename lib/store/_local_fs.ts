/**
 * File-system pieces of the local store: ranged read streams, temp-file writes and the sorted
 * recursive walk behind `list`.
 *
 * @module
 */
import { type FileHandle, mkdir, readdir, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { ObjectInfo, PutBody } from "./store.ts";
import { compareKeys, TEMP_NAME } from "./_keys.ts";
import { bodyChunks } from "./_body.ts";

/** Read size of local streams. */
const CHUNK = 1 << 20;

const encoder = new TextEncoder();

/** Writes of local puts gather small chunks up to this many bytes. */
const WRITE_BATCH = 256 << 10;

/** The error code of a Node file-system error, if any. */
export function errno(err: unknown): string | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === "string" ? code : undefined;
}

/** A stream of bytes `[start, end)` of an open file; closes the handle when done or cancelled. */
export function fileRangeStream(
  fh: FileHandle,
  start: number,
  end: number,
): ReadableStream<Uint8Array> {
  let at = start;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await fh.close();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (at >= end) {
          await close();
          controller.close();
          return;
        }
        const buf = new Uint8Array(Math.min(CHUNK, end - at));
        const { bytesRead } = await fh.read(buf, 0, buf.byteLength, at);
        if (bytesRead === 0) {
          // The file shrank under us (replaced files keep their inode, so this is rare).
          await close();
          controller.close();
          return;
        }
        at += bytesRead;
        controller.enqueue(bytesRead === buf.byteLength ? buf : buf.subarray(0, bytesRead));
      } catch (err) {
        await close().catch(() => {});
        controller.error(err);
      }
    },
    cancel: close,
  }, { highWaterMark: 0 });
}

/** Reads bytes `[start, end)` of an open file. */
export async function readRange(fh: FileHandle, start: number, end: number): Promise<Uint8Array> {
  const out = new Uint8Array(end - start);
  let filled = 0;
  while (filled < out.byteLength) {
    const { bytesRead } = await fh.read(out, filled, out.byteLength - filled, start + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === out.byteLength ? out : out.subarray(0, filled);
}

/** A fresh hidden temp path beside `path`: `.<name>.<16 hex>.tmp`, matching `TEMP_NAME`. */
export function tempPathFor(path: string): string {
  const random = crypto.getRandomValues(new Uint8Array(8));
  const hex = Array.from(random, (b) => b.toString(16).padStart(2, "0")).join("");
  return join(dirname(path), `.${basename(path)}.${hex}.tmp`);
}

/** Runs `create` (which makes the file `tmp`), making `tmp`'s folder first when it is missing. */
async function inFolder<T>(tmp: string, create: () => Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (err) {
    if (errno(err) !== "ENOENT") throw err;
    await mkdir(dirname(tmp), { recursive: true });
    return await create();
  }
}

/**
 * Writes `body` to a new file at `tmp` (which must not exist), making its folder only when it
 * is missing; an in-memory body in one call (a third of the file-system calls: manifests and
 * records are small). On any failure, including the body's stream erroring, the temp file is
 * removed and the error rethrown.
 */
export async function writeTemp(tmp: string, body: PutBody): Promise<void> {
  // Deno's own file calls: less CPU per call than node:fs's (for a write, rename and unlink),
  // and a put of a shard is thousands of writes.
  if (!(body instanceof ReadableStream)) {
    const bytes = typeof body === "string" ? encoder.encode(body) : body;
    try {
      await inFolder(tmp, () => Deno.writeFile(tmp, bytes, { createNew: true }));
    } catch (err) {
      if (errno(err) !== "EEXIST") await Deno.remove(tmp).catch(() => {}); // not another's file
      throw err;
    }
    return;
  }
  const file = await inFolder(tmp, () => Deno.open(tmp, { write: true, createNew: true }));
  const writeAll = async (chunk: Uint8Array) => {
    let written = 0;
    while (written < chunk.byteLength) written += await file.write(chunk.subarray(written));
  };
  try {
    // Small chunks (a ShardWriter sends one per sample) are gathered into one write: a write
    // call costs about the same whatever its size, and concurrent writers contend in the kernel.
    let buf: Uint8Array | undefined;
    let used = 0;
    for await (const chunk of bodyChunks(body)) {
      if (chunk.byteLength >= WRITE_BATCH) {
        if (used > 0) await writeAll(buf!.subarray(0, used));
        used = 0;
        await writeAll(chunk);
        continue;
      }
      if (used + chunk.byteLength > WRITE_BATCH) {
        await writeAll(buf!.subarray(0, used));
        used = 0;
      }
      buf ??= new Uint8Array(WRITE_BATCH);
      buf.set(chunk, used);
      used += chunk.byteLength;
    }
    if (used > 0) await writeAll(buf!.subarray(0, used));
    file.close();
  } catch (err) {
    try {
      file.close();
    } catch { /* closed already */ }
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
}

/** Whether `dir` holds at least one object (a non-temp file), at any depth. */
async function hasObject(dir: string): Promise<boolean> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return false;
  }
  for (const entry of entries) {
    if (entry.isFile() && !TEMP_NAME.test(entry.name)) return true;
    if (entry.isDirectory() && await hasObject(join(dir, entry.name))) return true;
  }
  return false;
}

/** The entries of directory `dir`, or `undefined` when it does not exist or is not a directory. */
async function readDirEntries(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (["ENOENT", "ENOTDIR"].includes(errno(err) ?? "")) return undefined;
    throw err;
  }
}

/**
 * Walks `root/<dirKey>` in key order, yielding objects whose key starts with `dirKey + namePrefix`
 * (`dirKey` is `""` or ends with `/`). With `delimiter`, subdirectories holding objects are
 * yielded once as `{ key: "sub/", size: 0 }` instead of being entered.
 */
export async function* walk(
  root: string,
  dirKey: string,
  namePrefix: string,
  delimiter: boolean,
): AsyncGenerator<ObjectInfo> {
  const entries = await readDirEntries(join(root, dirKey));
  if (!entries) return;
  const items: { name: string; sortKey: string; dir: boolean }[] = [];
  for (const entry of entries) {
    if (!entry.name.startsWith(namePrefix)) continue;
    let dir = entry.isDirectory();
    if (!dir && !entry.isFile()) {
      // Symbolic links and the like: follow them.
      const info = await stat(join(root, dirKey, entry.name)).catch(() => undefined);
      if (!info) continue;
      dir = info.isDirectory();
      if (!dir && !info.isFile()) continue;
    }
    if (!dir && TEMP_NAME.test(entry.name)) continue;
    // A directory's keys all start with "name/": sorting it as such gives global key order.
    items.push({ name: entry.name, sortKey: dir ? `${entry.name}/` : entry.name, dir });
  }
  items.sort((a, b) => compareKeys(a.sortKey, b.sortKey));
  // Files are stat'ed STAT_WINDOW at a time ahead of the one yielded (in key order still): a
  // folder of a million index fragments lists in parallel, not one stat after the other.
  const pending: Promise<ObjectInfo | undefined>[] = [];
  const statFile = (key: string) =>
    stat(join(root, key)).then(
      (info) => info.isFile() ? { key, size: info.size, lastModified: info.mtime } : undefined,
      () => undefined,
    );
  for (const item of items) {
    const key = dirKey + item.name;
    if (item.dir) {
      for (const p of pending.splice(0)) {
        const info = await p;
        if (info) yield info;
      }
      if (!delimiter) yield* walk(root, `${key}/`, "", false);
      else if (await hasObject(join(root, key))) yield { key: `${key}/`, size: 0 };
      continue;
    }
    pending.push(statFile(key));
    if (pending.length >= STAT_WINDOW) {
      const info = await pending.shift()!;
      if (info) yield info;
    }
  }
  for (const p of pending) {
    const info = await p;
    if (info) yield info;
  }
}

/** Files stat'ed at once by {@linkcode walk}. */
const STAT_WINDOW = 64;

/** A temp file found by {@linkcode walkTemp}. */
export interface TempFile {
  /** Its path relative to the root (`dir/.name.<hex>.tmp`). */
  path: string;
  /** Last modification, ms since the epoch. */
  mtimeMs: number;
}

/**
 * Walks `root/<dirKey>` for temp files of keys that start with `dirKey + namePrefix` (`dirKey`
 * is `""` or ends with `/`). Symbolic links are not followed: a sweep never leaves the root.
 */
export async function* walkTemp(
  root: string,
  dirKey: string,
  namePrefix: string,
): AsyncGenerator<TempFile> {
  const entries = await readDirEntries(join(root, dirKey));
  if (!entries) return;
  for (const entry of entries) {
    const path = dirKey + entry.name;
    if (entry.isDirectory()) {
      if (entry.name.startsWith(namePrefix)) yield* walkTemp(root, `${path}/`, "");
    } else if (
      entry.isFile() && TEMP_NAME.test(entry.name) && entry.name.startsWith(`.${namePrefix}`)
    ) {
      const info = await stat(join(root, path)).catch(() => undefined);
      if (info) yield { path, mtimeMs: info.mtimeMs };
    }
  }
}
