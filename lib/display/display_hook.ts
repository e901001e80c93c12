/**
 * {@linkcode displayable} and {@linkcode registerRenderer}: the seam between the objects lower
 * areas make (schemas, stats, manifests, jobs) and the renderers of `lib/notebook/`.
 *
 * Jupyter's Deno kernel renders a cell's value by calling its `[Symbol.for("Jupyter.display")]()`
 * method. A lower area cannot import the notebook area (dependencies flow one way), so its
 * objects carry a small method that looks up a renderer by kind here; `lib/notebook/` registers
 * the renderers when it is imported (the root `mod.ts` imports it). Without a registered
 * renderer an object displays as compact JSON text. This registry is the simplest sound seam:
 * one lookup per display, no imports running back up, and nothing on the objects' data (the
 * method is non-enumerable: JSON, `deepEqual` and structured clones do not see it).
 *
 * @module
 */

/** A MIME bundle: MIME type to content (`text/html`, `text/plain`, `image/svg+xml`, ...). */
export type DisplayBundle = Record<string, string>;

/** Renders one kind of value as a MIME bundle. */
export type Renderer = (value: never) => DisplayBundle | Promise<DisplayBundle>;

/** The symbol the Deno Jupyter kernel calls to display a value. */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display") as never;

const renderers = new Map<string, Renderer>();

/**
 * Registers the renderer of a kind (`"schema"`, `"dataset_stats"`, ...); a later registration
 * replaces an earlier one.
 *
 * @example
 * ```ts
 * import { displayable, registerRenderer, renderDisplay } from "./display_hook.ts";
 * registerRenderer("greeting", (v: { name: string }) => ({ "text/plain": `hello ${v.name}` }));
 * const g = displayable("greeting", { name: "ada" });
 * if ((await renderDisplay("greeting", g))["text/plain"] !== "hello ada") throw new Error();
 * ```
 */
export function registerRenderer<T>(
  kind: string,
  render: (value: T) => DisplayBundle | Promise<DisplayBundle>,
): void {
  renderers.set(kind, render as Renderer);
}

/**
 * Renders a value with the renderer registered for its kind, or as JSON text when none is.
 *
 * @example
 * ```ts
 * import { renderDisplay } from "./display_hook.ts";
 * const bundle = await renderDisplay("unregistered-kind", { a: 1 });
 * if (bundle["text/plain"] !== '{"a":1}') throw new Error(bundle["text/plain"]);
 * ```
 */
export async function renderDisplay(kind: string, value: unknown): Promise<DisplayBundle> {
  const render = renderers.get(kind) as ((v: unknown) => DisplayBundle) | undefined;
  if (render) return await render(value);
  let text: string;
  try {
    text = JSON.stringify(value, (_k, v) => typeof v === "bigint" ? String(v) : v) ?? String(value);
  } catch {
    text = String(value);
  }
  return { "text/plain": text.length > 2000 ? text.slice(0, 2000) + "..." : text };
}

/**
 * Gives an object a non-enumerable `[Symbol.for("Jupyter.display")]` method that renders it as
 * `kind`; returns the same object. Call it before freezing the object.
 *
 * @example
 * ```ts
 * import { displayable, JUPYTER_DISPLAY } from "./display_hook.ts";
 * const stats = displayable("dataset_stats", { dataset: "ds", shards: 0 });
 * if (typeof (stats as Record<symbol, unknown>)[JUPYTER_DISPLAY] !== "function") throw new Error();
 * if (Object.keys(stats).join() !== "dataset,shards") throw new Error("method is enumerable");
 * ```
 */
export function displayable<T extends object>(kind: string, value: T): T {
  Object.defineProperty(value, JUPYTER_DISPLAY, {
    value: function (this: unknown) {
      return renderDisplay(kind, this);
    },
    enumerable: false,
    configurable: true,
    writable: true,
  });
  return value;
}
