/**
 * Job module sources used by the job tests (each is written to a temporary folder).
 *
 * @module
 */

/** Identity map. */
export const IDENTITY = `
import { Item, defineJob } from "./schemas.ts";
export default defineJob({ name: "identity", version: "1.0.0", input: Item, map: (s) => s });
`;

/** Labels items by score with a threshold param; throws on ids that are 3 mod 7. */
export const SCORE_SKIP = `
import { Item, Scored, defineJob } from "./schemas.ts";
export default defineJob({
  name: "score", version: "2.0.0", input: Item, output: Scored,
  params: { threshold: 0.5 },
  onError: "skip",
  map(s, ctx) {
    if (Number(s.id) % 7 === 3) throw new Error("unlucky id " + s.id);
    return { id: s.id, label: s.score >= ctx.params.threshold ? "high" : "low", score: s.score };
  },
});
`;

/** Returns a string score for even ids (violates the output schema). */
export const BAD_OUTPUT = `
import { Item, Scored, defineJob } from "./schemas.ts";
export default defineJob({
  name: "bad-output", version: "1.0.0", input: Item, output: Scored, onError: "skip",
  map: (s) => ({ id: s.id, label: "x", score: Number(s.id) % 2 === 0 ? "oops" : s.score }),
});
`;

/** Fails on the first sample with id 3 mod 7 (default policy "fail"). */
export const FAIL_POLICY = `
import { Item, defineJob } from "./schemas.ts";
export default defineJob({
  name: "strict", version: "1.0.0", input: Item,
  map(s) {
    if (Number(s.id) === 13) throw new Error("thirteen");
    return s;
  },
});
`;

/** Throws while being imported. */
export const IMPORT_FAILS = `
import { Item, defineJob } from "./schemas.ts";
throw new Error("boom at import time");
export default defineJob({ name: "never", version: "1.0.0", input: Item, map: (s) => s });
`;

/** Keeps items whose text is "t0". */
export const FILTER = `
import { Item, defineJob } from "./schemas.ts";
export default defineJob({ name: "keep-t0", version: "1.0.0", input: Item, filter: (s) => s.text === "t0" });
`;

/** Two outputs per input, with explicit keys for the first. */
export const FLAT_MAP = `
import { Item, defineJob } from "./schemas.ts";
export default defineJob({
  name: "twice", version: "1.0.0", input: Item, output: Item,
  flatMap: (s) => [{ ...s, __key__: s.__key__ + "-a" }, { ...s, id: Number(s.id) + 1000000 }],
});
`;

/** A whole-shard function: one summary row per shard. */
export const SHARD_SUMMARY = `
import { Item, Scored, defineJob } from "./schemas.ts";
export default defineJob({
  name: "summary", version: "1.0.0", input: Item, output: Scored,
  async *shard(samples, ctx) {
    let n = 0, sum = 0;
    for await (const s of samples) { n++; sum += s.score; }
    yield { __key__: ctx.shard.replace(/[/.]/g, "_"), id: n, label: "mean", score: sum / n };
  },
});
`;

/** Sleeps params.delayMs per sample (for kill and cancel tests). */
export const SLOW = `
import { Item, defineJob } from "./schemas.ts";
export default defineJob({
  name: "slow", version: "1.0.0", input: Item, params: { delayMs: 5 },
  async map(s, ctx) {
    await new Promise((r) => setTimeout(r, ctx.params.delayMs));
    return s;
  },
});
`;

/**
 * Identity that holds its first sample until \`globalThis.shardlineTestGate\` (a promise, when
 * set) resolves, counting the times it got there in \`globalThis.shardlineTestRuns\`: in-process
 * jobs keep a task running while a test acts.
 */
export const GATED = `
import { Item, defineJob } from "./schemas.ts";
export default defineJob({
  name: "gated", version: "1.0.0", input: Item,
  async map(s) {
    if (Number(s.id) === 0) {
      globalThis.shardlineTestRuns = (globalThis.shardlineTestRuns ?? 0) + 1;
      await globalThis.shardlineTestGate;
    }
    return s;
  },
});
`;

/** Validates with its own zod from npm (a job in a scratch folder importing a package). */
export const NPM_ZOD = `
import { z } from "npm:zod@4.6.7";
import { Item, Scored, defineJob } from "./schemas.ts";
const Text = z.string().regex(/^t[0-9]$/);
export default defineJob({
  name: "zod-check", version: "1.0.0", input: Item, output: Scored,
  map: (s) => ({ id: s.id, label: Text.parse(s.text).toUpperCase(), score: s.score }),
});
`;
