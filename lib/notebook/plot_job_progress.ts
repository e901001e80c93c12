/**
 * {@linkcode plotJobProgress}: a job's progress over time (tasks done and samples read, by the
 * time each task finished), from its task results in the store.
 *
 * @module
 */
import { checkName, checkStore } from "../util/mod.ts";
import * as Plot from "@observablehq/plot";
import { status } from "../job/mod.ts";
import type { Store } from "../store/mod.ts";
import { type Chart, type ChartOptions, renderPlot } from "./chart.ts";
import { PlotError } from "./plot_error.ts";

/** One point of a job's progress: after `seconds` from its creation, what was done. */
export interface ProgressPoint {
  seconds: number;
  tasks: number;
  samples: number;
}

/**
 * A job's progress over time: one point per finished task (cumulative tasks and input samples).
 *
 * @example
 * ```ts ignore
 * import { jobProgress } from "./plot_job_progress.ts";
 * const points = await jobProgress(store, job.id);
 * console.log(points.at(-1)); // { seconds: 3.2, tasks: 4, samples: 2000 }
 * ```
 */
export async function jobProgress(store: Store, jobId: string): Promise<ProgressPoint[]> {
  checkStore(store, "jobProgress");
  checkName(jobId, "jobProgress", "jobId");
  const s = await status(store, jobId);
  const start = Date.parse(s.created_at);
  const done = s.task_states.flatMap((t) => t.result ? [t.result] : [])
    .map((r) => ({ at: Date.parse(r.finished_at), samples: r.samples_in }))
    .sort((a, b) => a.at - b.at);
  let tasks = 0;
  let samples = 0;
  const points: ProgressPoint[] = [{ seconds: 0, tasks: 0, samples: 0 }];
  for (const d of done) {
    tasks++;
    samples += d.samples;
    points.push({ seconds: Math.max(0, (d.at - start) / 1000), tasks, samples });
  }
  return points;
}

/**
 * Draws a job's progress: input samples processed over seconds since it was created, a step
 * per finished task.
 *
 * @example
 * ```ts ignore
 * import { plotJobProgress } from "./plot_job_progress.ts";
 * const chart = await plotJobProgress(store, job.id);
 * await Deno.writeFile("progress.png", chart.toPNG());
 * ```
 */
export async function plotJobProgress(
  store: Store,
  jobId: string,
  options: ChartOptions = {},
): Promise<Chart> {
  checkStore(store, "plotJobProgress");
  checkName(jobId, "plotJobProgress", "jobId");
  const points = await jobProgress(store, jobId);
  if (points.length < 2) {
    throw new PlotError("no_data", `Job "${jobId}" has no finished task yet`, { dataset: jobId });
  }
  const last = points.at(-1)!;
  return renderPlot(`job ${jobId}: ${last.tasks} tasks, ${last.samples} samples`, {
    width: options.width ?? 640,
    height: options.height ?? 300,
    x: { label: "seconds since submit" },
    y: { label: "samples read", grid: true },
    marks: [
      Plot.areaY(points, { x: "seconds", y: "samples", curve: "step-after", fillOpacity: 0.2 }),
      Plot.lineY(points, { x: "seconds", y: "samples", curve: "step-after", stroke: "steelblue" }),
      Plot.dot(points, { x: "seconds", y: "samples", fill: "steelblue", r: 2.5 }),
      Plot.ruleY([0]),
    ],
  });
}
