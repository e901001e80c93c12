/**
 * Interop with Python's tarfile (the tar layer under webdataset and atdata) and GNU tar:
 * each reads what shardline writes, shardline reads what Python writes (PAX, GNU, gzip), and
 * sample byte ranges match Python's member offsets.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { scanSamples, scanTar, TarWriter } from "../../lib/shard/mod.ts";
import { collect } from "../../lib/shard/_test_tars.ts";
import { needs, PYTHON, python, pythonHas, runs } from "../_tools.ts";

const ignore = needs(`Python 3 with tarfile (${PYTHON})`, pythonHas("tarfile"), "python3");
const noTar = needs("GNU tar", runs("tar", ["--version"]), "tar");
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const json = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b));

/** Members shardline writes: short, prefix-split, PAX-long, unicode, multi-block. */
function ourShard(): { tar: Uint8Array; members: [string, Uint8Array][] } {
  const w = new TarWriter({ mtime: 1_770_000_000 });
  const members: [string, Uint8Array][] = [];
  const add = (key: string, files: Record<string, Uint8Array>) => {
    w.writeSample(key, files);
    for (const [ext, data] of Object.entries(files)) members.push([`${key}.${ext}`, data]);
  };
  for (let i = 0; i < 20; i++) {
    add(`s${i}`, {
      jpg: new Uint8Array(300 + i * 97).fill(i),
      cls: new TextEncoder().encode(String(i)),
    });
  }
  add("d/".repeat(70) + "deep", { txt: new TextEncoder().encode("prefix split") });
  add("k".repeat(150), { "seg.png": new Uint8Array(2000).fill(9) });
  add("ünïcödé/κλειδί", { json: new TextEncoder().encode('{"a":1}') });
  add("big", { bin: new Uint8Array(200_000).map((_, i) => i * 7) });
  return { tar: w.finishBytes(), members };
}

const LIST_SCRIPT = `
import sys, tarfile, json, hashlib, io
tf = tarfile.open(fileobj=io.BytesIO(sys.stdin.buffer.read()), mode="r|")
out = []
for m in tf:
    data = tf.extractfile(m).read() if m.isfile() else b""
    out.append([m.name, m.size, m.offset, m.mode, m.mtime, m.type.decode(), hashlib.sha256(data).hexdigest()])
print(json.dumps(out))
`;

Deno.test(
  { name: "Python tarfile reads shardline shards with matching offsets", ignore },
  async () => {
    const { tar, members } = ourShard();
    const listed = json(await python(LIST_SCRIPT, [], tar));
    assert.deepEqual(
      listed.map((m: unknown[]) => [m[0], m[1], m[3], m[4], m[5], m[6]]),
      members.map(([n, d]) => [n, d.length, 0o444, 1_770_000_000, "0", sha(d)]),
    );
    const entries = await collect(scanTar(tar));
    assert.deepEqual(listed.map((m: unknown[]) => m[2]), entries.map((e) => e.headerOffset));
  },
);

Deno.test({ name: "GNU tar lists shardline shards cleanly", ignore: noTar }, async () => {
  const { tar, members } = ourShard();
  const path = await Deno.makeTempFile({ suffix: ".tar" });
  try {
    await Deno.writeFile(path, tar);
    const out = await new Deno.Command("tar", { args: ["-tvf", path], env: { LC_ALL: "C.UTF-8" } })
      .output();
    assert.ok(out.success);
    assert.equal(new TextDecoder().decode(out.stderr), "");
    const lines = new TextDecoder().decode(out.stdout).trimEnd().split("\n");
    assert.equal(lines.length, members.length);
    for (const [i, line] of lines.entries()) {
      assert.match(line, /^-r--r--r-- 0\/0 /);
      assert.ok(line.endsWith(" " + members[i]![0]), line);
    }
  } finally {
    await Deno.remove(path);
  }
});

const WRITE_SCRIPT = `
import sys, tarfile, io
fmt, mode = sys.argv[1], sys.argv[2]
buf = io.BytesIO()
formats = {"pax": tarfile.PAX_FORMAT, "gnu": tarfile.GNU_FORMAT, "ustar": tarfile.USTAR_FORMAT}
with tarfile.open(fileobj=buf, mode=mode, format=formats[fmt]) as tf:
    def add(name, data, mtime=1770000000.25):
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = len(data), mtime, 0o444
        tf.addfile(info, io.BytesIO(data))
    d = tarfile.TarInfo("somedir")
    d.type = tarfile.DIRTYPE
    tf.addfile(d)
    add("somedir/a.jpg", b"J" * 1000)
    add("somedir/a.json", b'{"x": 1}')
    add("L" * 130 + "/" + "n" * 90 + ".Seg.PNG", b"P" * 513)  # 229 chars: PAX path, GNU 'L', ustar prefix
    add("L" * 130 + "/" + "n" * 90 + ".txt", b"long")
    if fmt != "ustar":
        add("ünï/çødé.txt", "unicode".encode())
    add("__meta__", b"meta")
    add("c.cls", b"7", mtime=5)
sys.stdout.buffer.write(buf.getvalue())
`;

const EXPECTED = (unicode: boolean) => [
  ["somedir/a", "jpg,json"],
  ["L".repeat(130) + "/" + "n".repeat(90), "seg.png,txt"],
  ...(unicode ? [["ünï/çødé", "txt"]] : []),
  ["c", "cls"],
];

for (const [fmt, mode] of [["pax", "w"], ["gnu", "w"], ["pax", "w:gz"], ["gnu", "w|gz"]]) {
  Deno.test({ name: `shardline reads Python-written ${fmt} tars (${mode})`, ignore }, async () => {
    const tar = await python(WRITE_SCRIPT, [fmt!, mode!]);
    const samples = await collect(scanSamples(tar, { url: `py-${fmt}.tar` }));
    assert.deepEqual(
      samples.map((s) => [s.__key__, Object.keys(s.files).join(",")]),
      EXPECTED(true),
    );
    assert.equal(samples[0]!.files.jpg!.length, 1000);
    assert.equal(new TextDecoder().decode(samples[1]!.files.txt), "long");
    if (!mode!.includes("gz")) {
      // Python's offsets (first header, extension headers included) equal shardline's.
      const listed = json(await python(LIST_SCRIPT, [], tar));
      const firstOffset = new Map<string, number>();
      for (const m of listed) {
        const key = String(m[0]).replace(/\.[^/]*$/, "");
        if (!firstOffset.has(key)) firstOffset.set(key, m[2]);
      }
      for (const s of samples) assert.equal(s.offset, firstOffset.get(s.__key__), s.__key__);
      await assertRangesAreSamples(tar, samples);
    }
  });
}

Deno.test(
  { name: "shardline reads a Python ustar tar with prefix-split names", ignore },
  async () => {
    const tar = await python(WRITE_SCRIPT, ["ustar", "w"]);
    const samples = await collect(scanSamples(tar));
    assert.deepEqual(
      samples.map((s) => [s.__key__, Object.keys(s.files).join(",")]),
      EXPECTED(false),
    );
  },
);

/** Every sample's byte range parses on its own as exactly that sample. */
async function assertRangesAreSamples(
  tar: Uint8Array,
  samples: Awaited<ReturnType<typeof collect<import("../../lib/shard/mod.ts").TarSample>>>,
) {
  for (const s of samples) {
    const alone = await collect(scanSamples(tar.subarray(s.offset, s.offset + s.size)));
    assert.equal(alone.length, 1, s.__key__);
    assert.equal(alone[0]!.__key__, s.__key__);
    assert.deepEqual(Object.keys(alone[0]!.files), Object.keys(s.files));
    for (const ext of Object.keys(s.files)) assert.deepEqual(alone[0]!.files[ext], s.files[ext]);
  }
}

Deno.test({
  name: "every sample range of a shardline shard is a tar Python reads as that sample",
  ignore,
}, async () => {
  const { tar } = ourShard();
  const samples = await collect(scanSamples(tar));
  await assertRangesAreSamples(tar, samples);
  const script = `
import sys, tarfile, io, json
data = sys.stdin.buffer.read()
out = []
for off, size in json.loads(sys.argv[1]):
    with tarfile.open(fileobj=io.BytesIO(data[off:off + size]), mode="r|") as tf:
        out.append(sorted(m.name for m in tf))
print(json.dumps(out))
`;
  const ranges = JSON.stringify(samples.map((s) => [s.offset, s.size]));
  const names = json(await python(script, [ranges], tar));
  assert.deepEqual(
    names,
    samples.map((s) => Object.keys(s.files).map((e) => `${s.__key__}.${e}`).sort()),
  );
});

/**
 * Old tars (some pre-POSIX writers, old Sun tar) summed the header bytes as SIGNED chars.
 * Python writes a ustar tar with UTF-8 names (bytes >= 0x80 in every header), then rewrites each
 * header's checksum field with `tarfile.calc_chksums`' signed sum: the bytes are made by
 * Python's reference, not by shardline.
 */
const SIGNED_SCRIPT = `
import sys, tarfile, io, json
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT, encoding="utf-8") as tf:
    for name, data in [("café.txt", b"latte"), ("café.json", b'{"a": 1}'), ("naïve/ünï.txt", b"x" * 700)]:
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode, info.uname = len(data), 1770000000, 0o644, "üser"
        tf.addfile(info, io.BytesIO(data))
data = bytearray(buf.getvalue())
sums = []
off = 0
while off + 512 <= len(data) and any(data[off:off + 512]):
    unsigned, signed = tarfile.calc_chksums(bytes(data[off:off + 512]))
    data[off + 148:off + 156] = b"%06o\\0 " % signed
    sums.append([off, unsigned, signed])
    size = int(data[off + 124:off + 136].rstrip(b"\\0 ") or b"0", 8)
    off += 512 + (size + 511) // 512 * 512
sys.stderr.write(json.dumps(sums))
sys.stdout.buffer.write(bytes(data))
`;

Deno.test(
  { name: "shardline reads an old tar whose header checksums sum signed bytes", ignore },
  async () => {
    const out = await new Deno.Command(PYTHON, {
      args: ["-c", SIGNED_SCRIPT],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    const sums: [number, number, number][] = JSON.parse(new TextDecoder().decode(out.stderr));
    assert.equal(sums.length, 3);
    for (const [off, unsigned, signed] of sums) {
      assert.ok(signed < unsigned, `header at ${off} has high bytes: the two sums differ`);
    }
    const tar = out.stdout;
    // Python itself accepts the signed sums (it tries both): the fixture is a valid old tar.
    const listed = json(await python(LIST_SCRIPT, [], tar));
    assert.deepEqual(listed.map((m: unknown[]) => m[0]), [
      "café.txt",
      "café.json",
      "naïve/ünï.txt",
    ]);
    const samples = await collect(scanSamples(tar, { url: "old-signed.tar" }));
    assert.deepEqual(
      samples.map((s) => [s.__key__, Object.keys(s.files).join(",")]),
      [["café", "txt,json"], ["naïve/ünï", "txt"]],
    );
    assert.equal(new TextDecoder().decode(samples[0]!.files.txt), "latte");
    assert.equal(samples[1]!.files.txt!.length, 700);
  },
);
