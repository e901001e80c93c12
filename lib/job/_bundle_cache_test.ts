import assert from "node:assert/strict";
import { join } from "node:path";
import { bundleJob } from "./bundle_job.ts";
import { privateDir } from "../util/private_dir.ts";

/** A `deno` that counts its `deno bundle` runs, then runs the real one. */
async function countingDeno(dir: string): Promise<{ path: string; runs: () => Promise<number> }> {
  const count = join(dir, "count");
  const path = join(dir, "deno");
  await Deno.writeTextFile(
    path,
    `#!/bin/sh\n[ "$1" = bundle ] && echo x >> '${count}'\nexec '${Deno.execPath()}' "$@"\n`,
  );
  await Deno.chmod(path, 0o755);
  const runs = async () =>
    (await Deno.readTextFile(count).catch(() => "")).split("\n").filter(Boolean).length;
  return { path, runs };
}

/** Writes a file with a distinct mtime (the cache compares sizes and mtimes). */
let age = 1000;
async function write(path: string, text: string): Promise<void> {
  await Deno.writeTextFile(path, text);
  const t = new Date(Date.now() - 1000 * age--);
  await Deno.utime(path, t, t);
}

Deno.test("bundleJob reuses a bundle until a file of its module graph changes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "shardline-bundle-cache-" });
  const job = join(dir, "job");
  await Deno.mkdir(join(job, "utils", "v1"), { recursive: true });
  await Deno.mkdir(join(job, "utils", "v2"), { recursive: true });
  await write(join(job, "utils", "v1", "score.ts"), `export const score = (x: number) => x * 1;\n`);
  await write(join(job, "utils", "v2", "score.ts"), `export const score = (x: number) => x * 2;\n`);
  await write(join(job, "utils", "mod.ts"), `export { score } from "./v1/score.ts";\n`);
  await write(join(job, "types.ts"), `export interface Row { x: number }\n`);
  await write(join(job, "conf.json"), `{ "factor": 1 }\n`);
  await write(join(job, "unrelated.ts"), `export const y = 1;\n`);
  await write(
    join(job, "job.ts"),
    `import { score } from "./utils/mod.ts";\nimport type { Row } from "./types.ts";\n` +
      `import conf from "./conf.json" with { type: "json" };\n` +
      `export default (r: Row) => score(r.x) * conf.factor;\n`,
  );
  const deno = await countingDeno(dir);
  const cacheDir = join(dir, "cache");
  const bundle = () => bundleJob(join(job, "job.ts"), { denoPath: deno.path, cacheDir });
  const text = (b: { code: Uint8Array }) => new TextDecoder().decode(b.code);

  const first = await bundle();
  const again = await bundle();
  assert.equal(await deno.runs(), 1, "the second bundle came from the cache");
  assert.equal(again.hash, first.hash);
  assert.deepEqual(again.code, first.code);

  await write(join(job, "unrelated.ts"), `export const y = 2;\n`);
  await bundle();
  assert.equal(await deno.runs(), 1, "a file outside the module graph does not matter");

  // A file that only re-exports leaves no code of its own in the bundle.
  await write(join(job, "utils", "mod.ts"), `export { score } from "./v2/score.ts";\n`);
  const reexport = await bundle();
  assert.equal(await deno.runs(), 2);
  assert.match(text(reexport), /x \* 2/);

  await write(join(job, "conf.json"), `{ "factor": 10 }\n`);
  assert.match(text(await bundle()), /10/);
  assert.equal(await deno.runs(), 3, "an imported JSON file is part of the graph");

  await write(join(job, "types.ts"), `export interface Row { x: number; y?: number }\n`);
  await bundle();
  assert.equal(await deno.runs(), 4, "a types-only import too");

  await bundle();
  assert.equal(await deno.runs(), 4);
  assert.equal(
    (await bundleJob(join(job, "job.ts"), { denoPath: deno.path, cacheDir: false })).hash.length,
    64,
  );
  assert.equal(await deno.runs(), 5, "cacheDir: false always bundles");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a cache folder another user could write to is not used", async () => {
  const dir = await Deno.makeTempDir({ prefix: "shardline-bundle-cache-" });
  const open = join(dir, "open");
  await Deno.mkdir(open);
  await Deno.chmod(open, 0o777); // as if another user had made it for everyone
  assert.equal(await privateDir(open), false);
  assert.equal(await privateDir(join(open, "inside")), false, "nor one inside it");
  assert.equal(await privateDir(join(dir, "mine")), true);
  const deno = await countingDeno(dir);
  await write(join(dir, "job.ts"), `export default 1;\n`);
  for (let i = 0; i < 2; i++) {
    await bundleJob(join(dir, "job.ts"), { denoPath: deno.path, cacheDir: open });
  }
  assert.equal(await deno.runs(), 2, "bundled every time");
  assert.deepEqual([...Deno.readDirSync(open)].map((e) => e.name), ["inside"]);
  await Deno.remove(dir, { recursive: true });
});
