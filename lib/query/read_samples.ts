/**
 * {@linkcode readSamples}: the samples at a list of locations (a query's `locations`), with
 * ranged reads coalesced per shard: locations of one shard are sorted by offset and runs of
 * adjacent (or nearly adjacent, `maxGap`) ranges are read with one GET each.
 *
 * @module
 */
import {
  type DecodedSample,
  decodeSample,
  sampleError,
  scanSamples,
  type TarSample,
} from "../shard/mod.ts";
import type { Fields, Schema } from "../schema/mod.ts";
import type { Store } from "../store/mod.ts";
import type { SampleLocation } from "./query.ts";
import { QueryError } from "./query_error.ts";

/** Options for {@linkcode readSamples}. */
export interface ReadSamplesOptions<F extends Fields = Fields> {
  /** Decode and validate each sample with this schema. @default raw tar members */
  schema?: Schema<F>;
  /** Largest gap in bytes between two ranges still read with one GET. @default 65536 */
  maxGap?: number;
  /** GETs at once. @default 8 */
  concurrency?: number;
  /** Called once per GET with its shard and byte range (to count or log reads). */
  onRead?: (read: { shard: string; offset: number; length: number }) => void;
}

/** Byte ranges of one shard merged into GETs: `[start, end)` and the locations they hold. */
function coalesce(locs: { loc: SampleLocation; i: number }[], maxGap: number) {
  locs.sort((a, b) => a.loc.offset! - b.loc.offset!);
  const runs: { start: number; end: number; items: typeof locs }[] = [];
  for (const item of locs) {
    const { offset, size } = item.loc;
    const last = runs.at(-1);
    if (last && offset! <= last.end + maxGap) {
      last.end = Math.max(last.end, offset! + size);
      last.items.push(item);
    } else runs.push({ start: offset!, end: offset! + size, items: [item] });
  }
  return runs;
}

async function one(bytes: Uint8Array, loc: SampleLocation): Promise<TarSample> {
  for await (const s of scanSamples(bytes)) {
    if (s.__key__ === loc.key) {
      return { ...s, __url__: loc.shard, offset: loc.offset!, size: loc.size };
    }
  }
  throw new QueryError(
    "not_found",
    `Cannot read sample "${loc.key}" of "${loc.shard}": the ${loc.size} bytes at byte ${loc.offset} do not hold it`,
    { shard: loc.shard, key: loc.key },
  );
}

/**
 * Reads the samples at `locations`, in their order: raw tar members, or decoded with
 * `options.schema`.
 *
 * @example
 * ```ts
 * import { query, readSamples } from "./mod.ts";
 * import { MemoryStore } from "../store/mod.ts";
 * import { defineSchema, f } from "../schema/mod.ts";
 * import { writeShards } from "../dataset/mod.ts";
 * const S = defineSchema({ name: "S", version: "1.0.0", fields: { label: f.str() } });
 * const store = new MemoryStore();
 * await writeShards(store, "ds/shard-%06d.tar", [{ __key__: "a", label: "cat" }, { __key__: "b", label: "dog" }], { schema: S });
 * const { locations } = await query(store, "ds", { where: "label = 'dog'" });
 * const [dog] = await readSamples(store, locations, { schema: S });
 * if (dog?.label !== "dog" || dog.__key__ !== "b") throw new Error();
 * ```
 */
export async function readSamples<F extends Fields>(
  store: Store,
  locations: readonly SampleLocation[],
  options: ReadSamplesOptions<F> & { schema: Schema<F> },
): Promise<DecodedSample<F>[]>;
export async function readSamples(
  store: Store,
  locations: readonly SampleLocation[],
  options?: ReadSamplesOptions,
): Promise<TarSample[]>;
export async function readSamples(
  store: Store,
  locations: readonly SampleLocation[],
  options: ReadSamplesOptions = {},
): Promise<unknown[]> {
  const maxGap = options.maxGap ?? 65536;
  const byShard = new Map<string, { loc: SampleLocation; i: number }[]>();
  locations.forEach((loc, i) => {
    if (loc.offset === null || loc.offset === undefined) {
      throw new QueryError(
        "invalid_option",
        `Cannot read sample "${loc.key}" of "${loc.shard}": its manifest records no byte offset (atdata)`,
        { shard: loc.shard, key: loc.key },
      );
    }
    const list = byShard.get(loc.shard) ?? [];
    list.push({ loc, i });
    byShard.set(loc.shard, list);
  });
  const runs = [...byShard].flatMap(([shard, locs]) =>
    coalesce(locs, maxGap).map((run) => ({ shard, ...run }))
  );
  const out = new Array<unknown>(locations.length);
  let next = 0;
  const worker = async () => {
    while (next < runs.length) {
      const run = runs[next++]!;
      const length = run.end - run.start;
      options.onRead?.({ shard: run.shard, offset: run.start, length });
      const bytes = await store.get(run.shard, { range: { offset: run.start, length } });
      for (const { loc, i } of run.items) {
        const at = loc.offset! - run.start;
        const sample = await one(bytes.subarray(at, at + loc.size), loc);
        if (!options.schema) {
          out[i] = sample;
          continue;
        }
        const r = decodeSample(options.schema, sample);
        if (!r.ok) throw sampleError(sample, r.issues, options.schema.id);
        out[i] = r.value;
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 8, runs.length)) }, worker),
  );
  return out;
}
