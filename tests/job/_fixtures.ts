/**
 * Fixtures of the job tests: job modules written to temporary folders outside the repo, small
 * input datasets, and a bounded wait.
 *
 * @module
 */
import { join } from "node:path";
import { scratchDir } from "../_scratch.ts";
import { fileURLToPath } from "node:url";
import type { Store } from "../../lib/store/store.ts";
import { defineSchema, f } from "../../lib/schema/mod.ts";
import { ShardWriter } from "../../lib/shard/shard_writer.ts";
import { encodeSample } from "../../lib/shard/codecs/encode_sample.ts";

/** The repo root, as a path. */
export const REPO = fileURLToPath(new URL("../../", import.meta.url));

/** The input schema of the fixtures. */
export const Item = defineSchema({
  name: "Item",
  version: "1.0.0",
  fields: { id: f.int(), text: f.str(), score: f.float() },
});

/** Source of the schemas, for job modules. */
export const SCHEMAS = `
import { defineSchema, f } from "${REPO}lib/schema/mod.ts";
import { defineJob } from "${REPO}lib/job/mod.ts";
export const Item = defineSchema({
  name: "Item", version: "1.0.0",
  fields: { id: f.int(), text: f.str(), score: f.float() },
});
export const Scored = defineSchema({
  name: "Scored", version: "1.0.0",
  fields: { id: f.int(), label: f.str(), score: f.float() },
});
export { defineJob };
`;

/**
 * Writes a job module `<name>.ts` (plus `schemas.ts`) into a fresh temporary folder and
 * returns its path. `body` may import `{ Item, Scored, defineJob }` from "./schemas.ts".
 */
export async function writeJob(name: string, body: string): Promise<string> {
  const dir = await scratchDir({ prefix: "shardline-job-test-" });
  await Deno.writeTextFile(join(dir, "schemas.ts"), SCHEMAS);
  const path = join(dir, `${name}.ts`);
  await Deno.writeTextFile(path, body);
  return path;
}

/** Writes `shards` shards of `perShard` Items under `prefix/shard-%06d.tar`; ids are global. */
export async function writeItems(
  store: Store,
  prefix: string,
  shards: number,
  perShard: number,
): Promise<string[]> {
  const writer = new ShardWriter(store, `${prefix}/shard-%06d.tar`, { maxcount: perShard });
  for (let i = 0; i < shards * perShard; i++) {
    const key = `item-${String(i).padStart(7, "0")}`;
    await writer.write(
      encodeSample(Item, { __key__: key, id: i, text: `t${i % 5}`, score: (i % 100) / 100 }),
    );
  }
  return (await writer.close()).map((s) => s.key);
}

/**
 * The text of a supervisor log once it says the run ended: the supervisor writes that line just
 * after the job's last result, so `awaitResults` can return before it is there.
 */
export function endedLog(path: string): Promise<string> {
  return until(async () => {
    const text = await Deno.readTextFile(path).catch(() => "");
    return text.includes("ends job") ? text : undefined;
  });
}

/** Polls `check` until it gives a value; fails after `limitMs` (a test must not hang). */
export async function until<T>(
  check: () => Promise<T | undefined> | T | undefined,
  limitMs = 60_000,
): Promise<T> {
  for (const end = Date.now() + limitMs; Date.now() < end;) {
    const v = await check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no result within ${limitMs} ms`);
}

/**
 * The keys of the objects of `store` whose bytes hold `secret`, and how many objects were
 * searched (every object, whatever its kind).
 */
export async function objectsHolding(
  store: Store,
  secret: string,
): Promise<{ holding: string[]; searched: number }> {
  const bytes = new TextEncoder().encode(secret);
  const contains = (data: Uint8Array) =>
    data.some((_, i) => bytes.every((b, j) => data[i + j] === b));
  const holding: string[] = [];
  let searched = 0;
  for await (const info of store.list("")) {
    searched++;
    if (contains(await store.get(info.key))) holding.push(info.key);
  }
  return { holding, searched };
}
