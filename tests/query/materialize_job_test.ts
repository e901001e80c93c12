/**
 * materialize as a job on the local executor (detached supervisor, worker processes, a local
 * store in a scratch folder): the view's samples against Python's tarfile reading the sources,
 * the same shards and manifests as the in-process copy, nothing written when asked again, a
 * failed task leaving no view, the size threshold, and the CLI.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { JOB_ABOVE, materialize, query, QueryError } from "../../lib/query/mod.ts";
import { defineSchema, f } from "../../lib/schema/mod.ts";
import { readManifest } from "../../lib/manifest/mod.ts";
import { writeShards } from "../../lib/dataset/mod.ts";
import { cancelJob, jobKeys, status, type SupervisorMarker } from "../../lib/job/mod.ts";
import { writeJson } from "../../lib/job/job_records.ts";
import { processIds } from "../../lib/util/process_identity.ts";
import { hostname } from "node:os";
import { registerExecutor } from "../../lib/exec/mod.ts";
import { LocalStore, openStore, type Store } from "../../lib/store/mod.ts";
import { run as runMaterialize } from "../../cli/materialize.ts";
import { cliContext } from "../_cli_context.ts";
import { scratchDir } from "../_scratch.ts";
import { withDeadline } from "../_deadline.ts";
import { needs, PYTHON, python, pythonHas } from "../_tools.ts";
import { noNode, s3StoreOptions, startS3rver } from "../_s3rver.ts";
import { fileTimes } from "./_views.ts";

const noPython = needs(`Python 3 with tarfile (${PYTHON})`, pythonHas("tarfile"), "python3");

const S = defineSchema({
  name: "Pets",
  version: "1.0.0",
  fields: {
    label: f.str(),
    n: f.int(),
    score: f.float(),
    when: f.timestamp(),
    tags: f.list(f.str()),
    photo: f.bytes(),
  },
});
const PER_SHARD = 7;
const pets = (count: number) =>
  Array.from({ length: count }, (_, j) => ({
    __key__: `p${j}`,
    label: j % 3 ? "cat" : "dog",
    n: 2n ** 55n + BigInt(j),
    score: j === 3 ? -0 : j / 7,
    when: new Date(Date.UTC(2025, 0, 1 + j, 0, 0, 0, j)),
    tags: [`t${j % 4}`],
    photo: new Uint8Array(500 + 37 * j).map((_, i) => (i * 31 + j) & 255),
  }));
/** The source shard of sample `p<j>`, as writeShards names it. */
const sourceOf = (key: string) =>
  `pets/shard-${String(Math.floor(Number(key.slice(1)) / PER_SHARD)).padStart(6, "0")}.tar`;

/** A local store in a scratch folder, with `pets` written, and the executor's settings. */
async function petStore(count = 30) {
  const root = await scratchDir({ prefix: "view-job-" });
  const store = new LocalStore(root);
  await writeShards(store, "pets/shard-%06d.tar", pets(count), { schema: S, maxcount: PER_SHARD });
  // Outside the store: the manifest cache, and the supervisor's log (no warm one left behind).
  const aside = await scratchDir({ prefix: "view-job-aside-" });
  const executor = { backendOptions: { keepAliveMs: 0, logDir: join(aside, "logs") } };
  return { root, store, executor, cacheDir: aside };
}

const LIST_MEMBERS = `
import sys, tarfile, json, hashlib
out = []
for path in sys.argv[1:]:
    with tarfile.open(path, mode="r:") as tf:
        for m in tf:
            data = tf.extractfile(m).read() if m.isfile() else b""
            out.append([m.name, m.size, m.mode, m.mtime, hashlib.sha256(data).hexdigest()])
print(json.dumps(out))
`;

/** Every member of the tars at `paths`, in order, as Python's tarfile reads them. */
async function members(paths: string[]): Promise<[string, number, number, number, string][]> {
  return JSON.parse(new TextDecoder().decode(await python(LIST_MEMBERS, paths)));
}

async function keysUnder(store: Store, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of store.list(prefix)) keys.push(info.key);
  return keys.sort();
}

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

Deno.test(
  { name: "materialize as a job copies what the in-process copy does, once", ignore: noPython },
  withDeadline(240_000, async () => {
    const a = await petStore();
    const b = await petStore();
    const where = "label = 'dog'";
    const inline = await materialize(a.store, "pets", { where }, {
      output: "dogs",
      maxcount: 4,
      asJob: false,
      cacheDir: a.cacheDir,
    });
    assert.equal(inline.job, undefined);
    const view = await materialize(b.store, "pets", { where }, {
      output: "dogs",
      maxcount: 4,
      asJob: true,
      cacheDir: b.cacheDir,
      executor: b.executor,
    });
    const dogs = pets(30).filter((p) => p.label === "dog").map((p) => p.__key__);
    assert.equal(view.cached, false);
    assert.equal(view.hash, inline.hash); // the same data and query: the same view
    assert.equal(view.samples, dogs.length);
    assert.equal(view.shards.length, Math.ceil(dogs.length / 4));

    // It ran as a job on the local executor, in other processes, one task per output shard.
    assert.match(view.job ?? "", /^j-[0-9a-f]{20}$/);
    const s = await status(b.store, view.job!);
    assert.equal(s.state, "completed");
    assert.equal(s.tasks.total, view.shards.length);
    assert.equal(s.supervisor?.backend, "local");
    assert.notEqual(s.supervisor?.pid, Deno.pid);
    assert.deepEqual(s.outputs.map((o) => o.key).sort(), view.shards);
    const record = JSON.parse(await Deno.readTextFile(`${b.root}/_views/${view.hash}/view.json`));
    assert.equal(record.job, view.job);
    assert.deepEqual(record.shards, view.shards);
    assert.deepEqual(await keysUnder(b.store, "_views/_plans/"), []); // its task files are gone

    // The members of its shards are the dogs' members of the sources, in the sources' order
    // (Python's tarfile reading both).
    const sources = [0, 1, 2, 3, 4].map((i) => `${b.root}/pets/shard-00000${i}.tar`);
    const expected = (await members(sources)).filter((m) => dogs.includes(m[0].split(".")[0]!));
    assert.deepEqual([...new Set(expected.map((m) => m[0].split(".")[0]))], dogs);
    assert.deepEqual(await members(view.shards.map((k) => `${b.root}/${k}`)), expected);

    // Each sample's bytes (headers, data, padding) are the source sample's.
    const rows = await query(b.store, "dogs", { cacheDir: b.cacheDir });
    const src = await query(b.store, "pets", { where, cacheDir: b.cacheDir });
    const at = new Map(src.locations.map((l) => [l.key, l]));
    assert.equal(rows.locations.length, dogs.length);
    for (const loc of rows.locations) {
      const from = at.get(loc.key)!;
      assert.equal(from.shard, sourceOf(loc.key));
      const range = (l: typeof loc) => ({ range: { offset: l.offset!, length: l.size } });
      assert.deepEqual(
        await b.store.get(loc.shard, range(loc)),
        await b.store.get(from.shard, range(from)),
        `sample ${loc.key}`,
      );
    }

    // The same shards and manifests as the in-process copy, the parents being the shards each
    // one's samples came from.
    assert.equal(inline.shards.length, view.shards.length);
    for (const [i, key] of view.shards.entries()) {
      const ours = await readManifest(b.store, key);
      const theirs = await readManifest(a.store, inline.shards[i]!);
      assert.equal(sha(await b.store.get(key)), sha(await a.store.get(inline.shards[i]!)));
      assert.deepEqual(ours.rows, theirs.rows);
      assert.ok(ours.rows!.length > 0);
      const keys = ours.rows!.map((r) => String(r.__key__));
      assert.deepEqual(ours.header.provenance, {
        source_job_id: `view:${view.hash}`,
        parent_shards: [...new Set(keys.map(sourceOf))],
        pipeline_version: null,
        code_hash: null,
      });
      const strip = (h: typeof ours.header) => ({
        ...h,
        shard_id: undefined,
        created_at: undefined,
        parquet: { ...h.parquet, key: undefined },
      });
      assert.deepEqual(strip(ours.header), strip(theirs.header));
    }

    // Asking again (as a job, or by size) writes nothing, and names the same job.
    const before = await fileTimes(b.root);
    for (const asJob of [true, undefined]) {
      const again = await materialize(b.store, "pets", { where: { label: "dog" } }, {
        output: "dogs",
        maxcount: 4,
        asJob,
        cacheDir: b.cacheDir,
        executor: b.executor,
      });
      assert.equal(again.cached, true);
      assert.equal(again.hash, view.hash);
      assert.equal(again.job, view.job);
    }
    assert.deepEqual(await fileTimes(b.root), before);
  }),
);

Deno.test(
  "a view job whose task fails records no view, says why, and runs the task again when asked",
  withDeadline(240_000, async () => {
    const { root, store, executor, cacheDir } = await petStore();
    // The shard p7..p13 come from is removed once the view's rows are planned (while its task
    // files are written): the query read only the index and manifests, and still finds it.
    const gone = "pets/shard-000001.tar";
    const bytes = await store.get(gone);
    let removed = false;
    const planning: Store = {
      url: store.url,
      get: (k, o) => store.get(k, o),
      getStream: (k, o) => store.getStream(k, o),
      head: (k) => store.head(k),
      list: (p, o) => store.list(p, o),
      delete: (k) => store.delete(k),
      put: async (k, body, o) => {
        if (k.startsWith("_views/_plans/") && !removed) {
          removed = true;
          await store.delete(gone);
        }
        await store.put(k, body, o);
      },
    };
    const options = { output: "dogs", maxcount: 4, asJob: true, cacheDir, executor };
    const err = await materialize(planning, "pets", { where: "label = 'dog'" }, options).then(
      () => assert.fail("the view's job should have failed"),
      (e: unknown) => e,
    );
    assert.ok(removed);
    assert.ok(err instanceof QueryError, String(err));
    assert.equal(err.code, "job_failed");
    assert.match(err.job ?? "", /^j-/);
    assert.equal(err.shard, gone);
    assert.match(err.message, /pets\/shard-000001\.tar/);
    assert.match(err.message, /no view was recorded/);

    // No view; the job's records say which task failed and why; that task left no shard.
    assert.deepEqual(
      (await keysUnder(store, "_views/")).filter((k) => k.endsWith("/view.json")),
      [],
    );
    const s = await status(store, err.job!);
    assert.equal(s.state, "failed");
    // Output shards of 4: p0 p3 p6 p9 | p12 p15 p18 p21 | p24 p27. The first two hold samples
    // of shard 1 (p7..p13): their tasks fail, the third completes.
    const failed = s.task_states.filter((t) => t.state === "failed");
    assert.deepEqual(failed.map((t) => t.id), ["task-000000", "task-000001"]);
    for (const t of failed) {
      assert.equal(t.result!.failures[0]!.shard, gone);
      assert.match(t.result!.error ?? "", /source shard "pets\/shard-000001\.tar" is gone/);
    }
    assert.deepEqual(
      (await keysUnder(store, "dogs/")).filter((k) => k.endsWith(".tar")),
      ["dogs/shard-000002-000.tar"],
    );

    // With the shard back, asking again runs the failed task again (only it) and records.
    await store.put(gone, bytes);
    const view = await materialize(store, "pets", { where: "label = 'dog'" }, options);
    assert.equal(view.cached, false);
    assert.equal(view.job, err.job);
    assert.equal(view.samples, 10);
    assert.deepEqual(view.shards, [0, 1, 2].map((i) => `dogs/shard-00000${i}-000.tar`));
    assert.ok(await store.head(`_views/${view.hash}/view.json`));
    const attempts = await keysUnder(store, `${jobKeys(view.job!).dir}/attempts/`);
    assert.ok(attempts.length > 0);
    assert.ok(attempts.every((k) => !k.includes("/task-000002/")), attempts.join());
    const rows = await query(store, "dogs", { cacheDir, orderBy: "__key__" });
    assert.equal(rows.df.height, 10);
    assert.ok(root);
  }),
);

Deno.test("a cancelled view job records no view, and asking again resumes it", async () => {
  const { store, cacheDir } = await petStore();
  // An executor that runs nothing, alive (this process): the job runs until it is cancelled.
  registerExecutor({
    name: "hold",
    start: async (store, spec) => {
      const now = new Date().toISOString();
      await writeJson(
        store,
        jobKeys(spec.id).supervisor,
        {
          backend: "hold",
          host: hostname(),
          pid: Deno.pid,
          ...processIds(),
          concurrency: 1,
          started_at: now,
          heartbeat_at: now,
        } satisfies SupervisorMarker,
      );
    },
  });
  const options = { asJob: true, cacheDir, executor: { backend: "hold" } };
  let cancelled: Promise<void> | undefined;
  const err = await materialize(store, "pets", { where: "label = 'dog'" }, {
    ...options,
    onProgress: (s) => void (cancelled ??= cancelJob(store, s.id)),
  }).then(() => assert.fail("the view's job was cancelled"), (e: unknown) => e);
  await cancelled;
  assert.ok(err instanceof QueryError && err.code === "job_failed", String(err));
  assert.match(err.message, /was cancelled/);
  assert.equal((await status(store, err.job!)).state, "cancelled");
  assert.deepEqual(
    (await keysUnder(store, "_views/")).filter((k) => k.endsWith("/view.json")),
    [],
  );
  const again = await materialize(store, "pets", { where: "label = 'dog'" }, {
    ...options,
    wait: false,
  });
  assert.equal(again.pending, true);
  assert.equal(again.job, err.job);
  assert.equal(again.samples, 10);
  assert.equal((await status(store, err.job!)).state, "running"); // its cancel taken back
});

Deno.test(
  "a view runs as a job above jobAbove, in this process below it",
  withDeadline(240_000, async () => {
    const { store, executor, cacheDir } = await petStore();
    assert.deepEqual(JOB_ABOVE, { samples: 100_000, bytes: 2 ** 30 });
    const small = await materialize(store, "pets", { where: "label = 'cat'" }, {
      jobAbove: { samples: 20 }, // 20 cats: not above
      cacheDir,
      executor,
    });
    assert.equal(small.samples, 20);
    assert.equal(small.job, undefined);
    assert.match(small.shards[0]!, /\/shard-000000\.tar$/);
    const bySize = await materialize(store, "pets", { where: "label = 'dog'" }, {
      jobAbove: { bytes: 1000 }, // each sample is more than 1000 bytes
      cacheDir,
      executor,
    });
    assert.match(bySize.job ?? "", /^j-/);
    assert.equal(bySize.samples, 10);
  }),
);

Deno.test(
  "cli materialize --job prints the job and waits for it",
  withDeadline(240_000, async () => {
    const { root, cacheDir: cache } = await petStore();
    const args = [
      `${root}/pets`,
      "--where",
      "label = 'dog'",
      "--output",
      "dogs",
      "--job",
      "--cache",
      cache,
      "--backend-options",
      JSON.stringify({ keepAliveMs: 0, logDir: join(cache, "logs") }),
    ];
    const first = cliContext();
    assert.equal(await runMaterialize(args, first.ctx), 0);
    const [line] = first.out;
    const job = /\(job (j-[0-9a-f]{20})\)$/.exec(line ?? "")?.[1];
    assert.ok(job, line);
    assert.match(line!, /^wrote view [0-9a-f]{32}: 10 samples in 1 shards at "dogs"/);
    assert.ok(
      first.err.some((l) => l.includes(`deno task cli status ${job}`)),
      first.err.join("\n"),
    );
    assert.equal((await status(new LocalStore(root), job)).state, "completed");

    const again = cliContext();
    assert.equal(await runMaterialize(args, again.ctx), 0);
    assert.match(again.out[0]!, new RegExp(`^cached view .* \\(job ${job}\\)$`));
  }),
);

Deno.test(
  { name: "a view job runs against an S3 store with the executor's store options", ignore: noNode },
  withDeadline(300_000, async () => {
    const s3 = await startS3rver("views-bucket");
    const scratch = await scratchDir({ prefix: "view-job-s3-" });
    const storeOptions = s3StoreOptions(s3);
    const store = await openStore(`s3://${s3.bucket}/prefix`, storeOptions);
    try {
      await writeShards(store, "pets/shard-%06d.tar", pets(30), {
        schema: S,
        maxcount: PER_SHARD,
      });
      const options = {
        output: "dogs",
        maxcount: 4,
        asJob: true,
        cacheDir: scratch,
        // The store is S3: tests/_scratch.ts cannot find the job's records on disk to clean up.
        executor: {
          storeOptions,
          backendOptions: { keepAliveMs: 0, logDir: scratch, codeCacheDir: scratch },
        },
      };
      const view = await materialize(store, "pets", { where: "label = 'dog'" }, options);
      assert.match(view.job ?? "", /^j-/);
      assert.equal(view.samples, 10);
      assert.ok(await store.head(`_views/${view.hash}/view.json`));
      const rows = await query(store, "dogs", { cacheDir: scratch, orderBy: "__key__" });
      const src = await query(store, "pets", {
        where: "label = 'dog'",
        orderBy: "__key__",
        cacheDir: scratch,
      });
      assert.deepEqual(rows.locations.map((l) => l.key), src.locations.map((l) => l.key));
      for (const [i, loc] of rows.locations.entries()) {
        const from = src.locations[i]!;
        assert.deepEqual(
          await store.get(loc.shard, { range: { offset: loc.offset!, length: loc.size } }),
          await store.get(from.shard, { range: { offset: from.offset!, length: from.size } }),
        );
      }
      const again = await materialize(store, "pets", { where: "label = 'dog'" }, options);
      assert.equal(again.cached, true);
      assert.equal(again.job, view.job);
    } finally {
      await store.close?.();
      await s3.close();
    }
  }),
);
