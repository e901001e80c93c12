import assert from "node:assert/strict";
import { join } from "node:path";
import { bundleJob } from "./bundle_job.ts";

/** A `deno` that counts its runs in `count`, then runs the real one. */
async function countingDeno(dir: string): Promise<{ path: string; runs: () => Promise<number> }> {
  const count = join(dir, "count");
  const path = join(dir, "deno");
  await Deno.writeTextFile(
    path,
    `#!/bin/sh\necho x >> '${count}'\nexec '${Deno.execPath()}' "$@"\n`,
  );
  await Deno.chmod(path, 0o755);
  const runs = async () =>
    (await Deno.readTextFile(count).catch(() => "")).split("\n").filter(Boolean).length;
  return { path, runs };
}

/** Writes a file with an mtime in the past (the cache ignores files changed while bundling). */
async function writeOld(path: string, text: string, ageS = 60): Promise<void> {
  await Deno.writeTextFile(path, text);
  const t = new Date(Date.now() - ageS * 1000);
  await Deno.utime(path, t, t);
}

Deno.test("bundleJob reuses a bundle until a file in its folders changes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "shardline-bundle-cache-" });
  const job = join(dir, "job");
  const other = join(dir, "other");
  await Deno.mkdir(job);
  await Deno.mkdir(other);
  await writeOld(join(job, "helper.ts"), `export const factor = 2;\n`);
  await writeOld(join(job, "types.ts"), `export interface Row { x: number }\n`);
  await writeOld(
    join(job, "job.ts"),
    `import { factor } from "./helper.ts";\nimport type { Row } from "./types.ts";\n` +
      `export default (r: Row) => r.x * factor;\n`,
  );
  await writeOld(join(other, "unrelated.ts"), `export const y = 1;\n`);
  const deno = await countingDeno(dir);
  const cacheDir = join(dir, "cache");
  const bundle = () => bundleJob(join(job, "job.ts"), { denoPath: deno.path, cacheDir });

  const first = await bundle();
  const again = await bundle();
  assert.equal(await deno.runs(), 1, "the second bundle came from the cache");
  assert.equal(again.hash, first.hash);
  assert.deepEqual(again.code, first.code);

  await writeOld(join(other, "unrelated.ts"), `export const y = 2;\n`, 30);
  await bundle();
  assert.equal(await deno.runs(), 1, "a file outside the bundle's folders does not matter");

  await writeOld(join(job, "helper.ts"), `export const factor = 3;\n`, 30);
  const edited = await bundle();
  assert.equal(await deno.runs(), 2);
  assert.notEqual(edited.hash, first.hash);
  assert.match(new TextDecoder().decode(edited.code), /factor = 3/);

  // A types-only file leaves no code in the bundle, but it sits in a bundled folder.
  await writeOld(join(job, "types.ts"), `export interface Row { x: number; y?: number }\n`, 20);
  await bundle();
  assert.equal(await deno.runs(), 3);

  // A file changed just now (maybe while it was bundled) is bundled again next time.
  await Deno.writeTextFile(join(job, "helper.ts"), `export const factor = 4;\n`);
  await bundle();
  await bundle();
  assert.equal(await deno.runs(), 5);

  assert.equal(
    (await bundleJob(join(job, "job.ts"), {
      denoPath: deno.path,
      cacheDir: false,
    })).hash.length,
    64,
  );
  assert.equal(await deno.runs(), 6, "cacheDir: false always bundles");
  await Deno.remove(dir, { recursive: true });
});
