import assert from "node:assert/strict";
import { defineSchema, f } from "../schema/mod.ts";
import { defineJob, isJobDefinition } from "./define_job.ts";
import { JobError } from "./job_error.ts";

const Row = defineSchema({ name: "Row", version: "1.0.0", fields: { x: f.int(), tag: f.str() } });
const Scored = defineSchema({
  name: "Scored",
  version: "1.0.0",
  fields: { x: f.int(), score: f.float() },
});

Deno.test("defineJob applies defaults and brands the definition", () => {
  const job = defineJob({
    name: "score",
    version: "1.0.0",
    input: Row,
    output: Scored,
    params: { k: 2 },
    map: (s, ctx) => ({ x: s.x, score: Number(s.x) * ctx.params.k }),
  });
  assert.equal(job.kind, "map");
  assert.equal(job.onError, "fail");
  assert.equal(job.maxFailedFraction, 1);
  assert(isJobDefinition(job));
  assert(!isJobDefinition({ name: "score" }));
});

Deno.test("defineJob: a filter's output defaults to its input", () => {
  const job = defineJob({ name: "keep", version: "1.0.0", input: Row, filter: (s) => s.x > 1 });
  assert.equal(job.output, Row);
});

Deno.test("defineJob rejects malformed definitions with invalid_job", () => {
  const bad = (init: unknown, re: RegExp) =>
    assert.throws(() => defineJob(init as never), (e: unknown) => {
      assert(e instanceof JobError && e.code === "invalid_job");
      assert.match(e.message, re);
      return true;
    });
  bad({ version: "1", input: Row, map: () => ({}) }, /needs a name/);
  bad({ name: "a", version: "1", input: Row }, /exactly one of map, flatMap, filter, shard, task/);
  bad({ name: "a", version: "1", input: Row, map: () => 1, filter: () => true }, /got map, filter/);
  bad({ name: "a", version: "1", input: {}, map: () => 1 }, /input must be a schema/);
  bad({ name: "a", version: "1", input: Row, flatMap: () => [] }, /needs an output schema/);
  bad({ name: "a", version: "1", input: Row, map: () => 1, onError: "ignore" }, /onError/);
  bad({ name: "a", version: "1", input: Row, map: () => 1, maxFailedFraction: 2 }, /within/);
});

Deno.test("defineJob: a task job needs no output schema", () => {
  const job = defineJob({
    name: "copy",
    version: "1.0.0",
    input: Row,
    task: () => Promise.resolve({ outputs: [] }),
  });
  assert.equal(job.kind, "task");
  assert.equal(job.output, Row);
});
