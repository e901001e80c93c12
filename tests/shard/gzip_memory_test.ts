/**
 * Bounded memory on gzip input: the peak RSS of a child process reading a gzip shard stays
 * within 64 MiB of the same process reading the same bytes as a plain tar. Cases: 200 MB and
 * 800 MB of zeros (an empty archive: its first block is an end-of-archive block; a few hundred
 * KB gzipped), 200 members of 1 MiB of zeros, and a 300 MiB member over a 64 MiB member-size
 * limit (refused with `member_too_large`, naming shard and offset). The plain tars are sparse
 * files; this is a memory bound (deflate inflates at most ~1032:1), not a timing threshold.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { header } from "../../lib/shard/_test_tars.ts";

const MiB = 1 << 20;
const CHILD = new URL("./_peak_rss_main.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

interface Read {
  samples: number;
  bytes: number;
  error?: { code: string; shard?: string; offset?: number };
  hwmKiB: number;
}

async function read(path: string, maxMemberSize?: number): Promise<Read> {
  const args = ["run", "-A", "--quiet", "--config", CONFIG, CHILD, path];
  const out = await new Deno.Command(Deno.execPath(), {
    args: maxMemberSize ? [...args, String(maxMemberSize)] : args,
    stdin: "null",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/** A sparse file of `size` bytes with the given 512-byte headers at their offsets. */
async function sparseTar(path: string, size: number, headers: [number, Uint8Array][]) {
  using file = await Deno.open(path, { create: true, write: true, truncate: true });
  await file.truncate(size);
  for (const [at, block] of headers) {
    await file.seek(at, Deno.SeekMode.Start);
    await file.write(block);
  }
}

/** Gzips `path` into `path.gz` (streaming). */
async function gzip(path: string): Promise<string> {
  const src = await Deno.open(path);
  await src.readable.pipeThrough(new CompressionStream("gzip"))
    .pipeTo((await Deno.open(`${path}.gz`, { create: true, write: true })).writable);
  return `${path}.gz`;
}

Deno.test({
  name:
    "gzip shards are read within 64 MiB of the plain tar's peak RSS (zeros, members, too large)",
  ignore: Deno.build.os !== "linux", // VmHWM is Linux's
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "shardline-gzip-rss-" });
    try {
      const cases: { name: string; size: number; headers: [number, Uint8Array][]; max?: number }[] =
        [
          { name: "zeros-200M", size: 200 * MiB, headers: [] },
          { name: "zeros-800M", size: 800 * MiB, headers: [] },
          {
            name: "members-200x1M",
            size: 200 * (MiB + 512) + 1024,
            headers: Array.from({ length: 200 }, (_, i) => [
              i * (MiB + 512),
              header({ name: `s${String(i).padStart(3, "0")}.bin`, size: MiB }),
            ]),
          },
          {
            name: "too-large",
            size: 512 + 1024 + 512 + 300 * MiB + 1024,
            headers: [
              [0, header({ name: "a.txt", size: 5 })],
              [1024, header({ name: "b.bin", size: 300 * MiB })],
            ],
            max: 64 * MiB,
          },
        ];
      const rows: string[] = [];
      for (const c of cases) {
        const plain = join(dir, `${c.name}.tar`);
        await sparseTar(plain, c.size, c.headers);
        const gz = await gzip(plain);
        const p = await read(plain, c.max);
        const g = await read(gz, c.max);
        const gzSize = (await Deno.stat(gz)).size;
        rows.push(
          `${c.name}: plain ${Math.round(p.hwmKiB / 1024)} MiB, gzip (${
            Math.round(gzSize / 1024)
          } KiB) ` +
            `${Math.round(g.hwmKiB / 1024)} MiB`,
        );
        // The same read either way.
        assert.deepEqual([g.samples, g.bytes, g.error?.code], [p.samples, p.bytes, p.error?.code]);
        assert.ok(
          g.hwmKiB <= p.hwmKiB + 64 * 1024,
          `${c.name}: gzip peak ${g.hwmKiB} KiB vs plain ${p.hwmKiB} KiB`,
        );
        if (c.name === "members-200x1M") assert.deepEqual([g.samples, g.bytes], [200, 200 * MiB]);
        if (c.name.startsWith("zeros")) assert.deepEqual([g.samples, g.error], [0, undefined]);
        if (c.name === "too-large") {
          assert.deepEqual(g.error, { code: "member_too_large", shard: gz, offset: 1024 });
          assert.equal(g.samples, 0, "a.txt's sample is not yielded before the error, as plain");
        }
        await Deno.remove(plain);
        await Deno.remove(gz);
      }
      console.log(rows.join("\n"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
