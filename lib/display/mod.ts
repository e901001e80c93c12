/**
 * The display seam: lower areas mark the objects they make with {@linkcode displayable};
 * `lib/notebook/` registers how each kind renders in Jupyter ({@linkcode registerRenderer}).
 *
 * @module
 */
export {
  displayable,
  type DisplayBundle,
  JUPYTER_DISPLAY,
  registerRenderer,
  renderDisplay,
  type Renderer,
} from "./display_hook.ts";
