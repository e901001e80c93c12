/**
 * Shard edges against Python's `tarfile` as the independent reference: a 0-byte shard is an
 * `empty_shard` error (Python: "empty file") while a tar of zero members is a valid empty read;
 * a truncated shard read with `onError: "skip"` (`cat --skip-bad`) keeps exactly the samples that
 * are complete before the cut, as computed from Python's listing of the untruncated tar.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { scanSamples, ShardError } from "../../lib/shard/mod.ts";
import { collect } from "../../lib/shard/_test_tars.ts";
import { needs, PYTHON, python, pythonHas } from "../_tools.ts";

const noPython = needs(`Python 3 with tarfile (${PYTHON})`, pythonHas("tarfile"), "python3");

const REPO = new URL("../../", import.meta.url).pathname;

/** `deno task cli cat ...` as a real process: exit code, stdout lines, stderr. */
async function cliCat(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "--config", join(REPO, "deno.json"), "cli", "cat", ...args],
    cwd: REPO,
    stdin: "null",
    env: { NO_COLOR: "1" },
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return {
    code: out.code,
    lines: text(out.stdout).split("\n").filter((l) => l),
    err: text(out.stderr),
  };
}

/** What Python's tarfile says of a file: its members' names, or its error. */
const PY_LIST = `
import sys, tarfile, json
try:
    with tarfile.open(sys.argv[1], "r:") as tf:
        print(json.dumps({"names": [m.name for m in tf]}))
except tarfile.ReadError as e:
    print(json.dumps({"error": str(e)}))
`;

Deno.test({
  name: "a 0-byte shard is empty_shard; a tar of zero members is an empty read (also via cli cat)",
  ignore: noPython,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "shardline-empty-" });
    try {
      const empty = join(dir, "empty.tar");
      await Deno.writeFile(empty, new Uint8Array(0));
      const none = join(dir, "none.tar");
      await python(
        `import tarfile, sys\ntarfile.open(sys.argv[1], "w").close()`,
        [none],
      );
      const py = async (path: string) =>
        JSON.parse(new TextDecoder().decode(await python(PY_LIST, [path])));
      assert.deepEqual(await py(empty), { error: "empty file" }, "Python refuses a 0-byte tar");
      assert.deepEqual(await py(none), { names: [] }, "Python reads zero members");

      await assert.rejects(
        collect(scanSamples(await Deno.readFile(empty), { url: "empty.tar" })),
        (e: unknown) => {
          assert.ok(e instanceof ShardError);
          assert.equal(e.code, "empty_shard");
          assert.equal(e.shard, "empty.tar");
          assert.match(e.message, /^Cannot read shard "empty\.tar": the shard is empty/);
          return true;
        },
      );
      const skipped: ShardError[] = [];
      const stream = (await Deno.open(empty)).readable;
      assert.deepEqual(await collect(scanSamples(stream, { onError: "skip", skipped })), []);
      assert.deepEqual(skipped.map((e) => e.code), ["empty_shard"], "reported under skip");
      assert.deepEqual(await collect(scanSamples(await Deno.readFile(none))), []);

      const bad = await cliCat([empty]);
      assert.equal(bad.code, 1);
      assert.match(bad.err, /empty\.tar": the shard is empty/);
      assert.deepEqual(bad.lines, []);
      const skip = await cliCat(["--skip-bad", empty]);
      assert.equal(skip.code, 1, "a skipped empty shard still fails the command");
      assert.match(skip.err, /skipped: .*the shard is empty/);
      const ok = await cliCat([none]);
      assert.deepEqual([ok.code, ok.lines, ok.err], [0, [], ""]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** A tar of 5 samples (a..e) of 3 members each, sizes not multiples of 512; its listing. */
const PY_MAKE = `
import io, json, sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.USTAR_FORMAT) as tf:
    for i, key in enumerate("abcde"):
        for j, ext in enumerate(["txt", "text", "bin"]):
            data = bytes([65 + i]) * (300 + 517 * j + 11 * i)
            info = tarfile.TarInfo(f"{key}.{ext}")
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    end = tf.offset
with tarfile.open(sys.argv[1]) as tf:
    members = [[m.name, m.offset, m.offset_data, m.size] for m in tf]
print(json.dumps({"members": members, "end": end}))
`;

Deno.test({
  name: "truncated shard under skip keeps every complete sample, at every kind of cut",
  ignore: noPython,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "shardline-cut-" });
    try {
      const path = join(dir, "full.tar");
      const { members, end } = JSON.parse(
        new TextDecoder().decode(await python(PY_MAKE, [path])),
      ) as { members: [string, number, number, number][]; end: number };
      const full = await Deno.readFile(path);
      // Samples from Python's listing: key, end of its last member's data, next header offset.
      const samples: { key: string; dataEnd: number; next: number }[] = [];
      for (const [i, [name, , dataAt, size]] of members.entries()) {
        const key = name.split(".")[0]!;
        const next = members[i + 1]?.[1] ?? end; // the end-of-archive block after the last
        if (samples.at(-1)?.key !== key) samples.push({ key, dataEnd: 0, next });
        Object.assign(samples.at(-1)!, { dataEnd: dataAt + size, next });
      }
      /**
       * The rule: a sample is complete when its members' data is whole and what follows it can
       * be seen to be another sample (or the end): the next header whole, whether the input
       * ends inside the next member's data or later.
       */
      const expected = (cut: number) => {
        // A cut at a header's first byte is a tar without end blocks (Python reads it without
        // a word): every member before it is read, the last sample with the members it has.
        if (members.some(([, at]) => at === cut)) {
          return [...new Set(members.filter(([, at]) => at < cut).map(([n]) => n.split(".")[0]))];
        }
        return samples.filter((s) => s.dataEnd <= cut && cut >= s.next + 512).map((s) => s.key);
      };
      // Cuts: inside each header, right after it, inside the data, in the padding.
      const cuts = new Set<number>();
      for (const [, at, dataAt, size] of members) {
        for (const c of [at, at + 100, dataAt, dataAt + 1, dataAt + size - 1, dataAt + size]) {
          cuts.add(c);
        }
        if (size % 512) cuts.add(dataAt + size + 1);
      }
      cuts.add(end + 100);
      cuts.delete(0); // no bytes: the empty shard of the test above
      let closedEarly = 0;
      for (const cut of [...cuts].sort((a, b) => a - b)) {
        const skipped: ShardError[] = [];
        const got = await collect(
          scanSamples(full.subarray(0, cut), { url: "cut.tar", onError: "skip", skipped }),
        );
        const want = expected(cut);
        assert.deepEqual(got.map((s) => s.__key__), want, `cut at byte ${cut}`);
        // A cut at a header's first byte looks like a tar without its end blocks, as for
        // Python's tarfile: no error. Any other cut is reported.
        const atHeader = members.some(([, at]) => at === cut) || cut === end;
        assert.deepEqual(skipped.map((e) => e.code).slice(0, 1), atHeader ? [] : ["truncated"]);
        // The complete samples kept are byte-exact: each one's range holds its three members.
        for (const s of got) {
          const x = samples.find((x) => x.key === s.__key__)!;
          if (x.dataEnd <= cut) assert.equal(s.size, x.next - s.offset);
          if (x.dataEnd <= cut) assert.equal(Object.keys(s.files).length, 3);
        }
        // Cuts inside the data of a sample's first member (the case the fix is about).
        const first = members.find(([n, , at, size]) =>
          n.endsWith(".txt") && n !== "a.txt" && cut >= at && cut < at + size
        );
        if (first) closedEarly++;
      }
      assert.ok(closedEarly >= 12, `${closedEarly} cuts inside a first member of a later sample`);

      // Through the CLI: cut inside d.txt's data (d's header readable): a, b and c come out.
      const d = members.find(([name]) => name === "d.txt")!;
      const cutPath = join(dir, "cut.tar");
      await Deno.writeFile(cutPath, full.subarray(0, d[2] + 10));
      const res = await cliCat(["--skip-bad", "--json", cutPath]);
      assert.equal(res.code, 1);
      assert.deepEqual(res.lines.map((l) => JSON.parse(l).__key__), ["a", "b", "c"], res.err);
      assert.match(res.err, /skipped: .*unexpected end of data/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
