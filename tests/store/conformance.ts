/**
 * The store conformance suite: the same cases for every backend. A backend's test file calls
 * {@linkcode testStoreConformance} with a setup that opens fresh, empty stores.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Store } from "../../lib/store/mod.ts";
import { basicCases } from "./_cases_basic.ts";
import { listCases } from "./_cases_list.ts";
import { writeCases } from "./_cases_write.ts";

/** Hints for opening a store for one case. */
export interface OpenCaseOptions {
  /** Keys per list page, small to force pagination. */
  listPageSize: number;
  /** Multipart part size (bytes). */
  partSize: number;
}

/** What a backend provides to the suite, valid between setup and `close()`. */
export interface ConformanceFixture {
  /** Opens a fresh, empty store (a new folder, prefix or name each call). */
  open(options: OpenCaseOptions): Promise<Store>;
  /** Releases everything setup started (servers, temp folders). */
  close(): Promise<void>;
}

/** Backend traits the suite adapts to. */
export interface ConformanceOptions {
  /**
   * Whether N concurrent create-only puts are guaranteed to have exactly one winner. False for
   * s3rver, which ignores `If-None-Match` (R2 and S3 honor it).
   */
  raceFreeCreateOnly: boolean;
}

/** One conformance case. */
export interface ConformanceCase {
  name: string;
  /** Only for backends with this trait. */
  requires?: keyof ConformanceOptions;
  /** Store options for this case, if not the defaults. */
  open?: Partial<OpenCaseOptions>;
  fn(store: Store): Promise<void>;
}

const MIB = 1024 * 1024;

/** All cases, in the order they run. */
export const conformanceCases: ConformanceCase[] = [...basicCases, ...listCases, ...writeCases];

/**
 * Registers one Deno test named `"<name> conformance"` running every case as a step against
 * stores from `setup()`, which runs inside the test (so servers start and stop with it).
 */
export function testStoreConformance(
  name: string,
  setup: () => Promise<ConformanceFixture>,
  options: ConformanceOptions,
): void {
  Deno.test(`${name} conformance`, async (t) => {
    const fixture = await setup();
    try {
      for (const c of conformanceCases) {
        const ignore = c.requires !== undefined && !options[c.requires];
        await t.step({
          name: `${name} ${c.name}`,
          ignore,
          fn: async () => {
            const store = await fixture.open({ listPageSize: 1000, partSize: 5 * MIB, ...c.open });
            try {
              await c.fn(store);
            } finally {
              await store.close?.();
            }
          },
        });
      }
    } finally {
      await fixture.close();
    }
  });
}

// ---- helpers shared by the case files ----

/** UTF-8 encode. */
export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
/** UTF-8 decode. */
export const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Deterministic bytes: `n` bytes of a simple pseudo-random sequence from `seed`. */
export function pattern(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A stream over `bytes` in chunks of `chunk` bytes; errors after `failAfter` bytes if given. */
export function chunkedStream(
  bytes: Uint8Array,
  chunk: number,
  failAfter?: number,
): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (failAfter !== undefined && at >= failAfter) {
        controller.error(new Error("source failed on purpose"));
        return;
      }
      if (at >= bytes.byteLength) return controller.close();
      const end = Math.min(bytes.byteLength, at + chunk);
      controller.enqueue(bytes.slice(at, end));
      at = end;
    },
  }, { highWaterMark: 0 });
}

/** Reads a whole stream. */
export async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Keys listed under `prefix`. */
export async function listKeys(
  store: Store,
  prefix = "",
  delimiter?: "/",
): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of store.list(prefix, { delimiter })) keys.push(info.key);
  return keys;
}

/** Asserts that `promise` rejects with a StoreError of `code`. */
export async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.equal((err as { name?: string }).name, "StoreError", String(err));
    assert.equal((err as { code?: string }).code, code, String(err));
    return true;
  });
}
