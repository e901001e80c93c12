/**
 * Child process of `gzip_memory_test.ts`: `deno run -A _peak_rss_main.ts <file> [maxMemberSize]`
 * scans the file's samples from a file stream and prints one JSON line: samples, bytes, the
 * error code, shard and offset if the scan threw, and the process's peak RSS (`VmHWM`, KiB).
 *
 * @module
 */
import { scanSamples, ShardError } from "../../lib/shard/mod.ts";

if (import.meta.main) {
  const [path, max] = Deno.args;
  const file = await Deno.open(path!);
  let samples = 0, bytes = 0;
  let error: { code: string; shard?: string; offset?: number } | undefined;
  try {
    const scan = scanSamples(file.readable, {
      url: path,
      maxMemberSize: max ? Number(max) : undefined,
    });
    for await (const s of scan) {
      samples++;
      for (const data of Object.values(s.files)) bytes += data.length;
    }
  } catch (e) {
    if (!(e instanceof ShardError)) throw e;
    error = { code: e.code, shard: e.shard, offset: e.offset };
  }
  const status = await Deno.readTextFile("/proc/self/status");
  const hwmKiB = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]);
  console.log(JSON.stringify({ samples, bytes, error, hwmKiB }));
}
