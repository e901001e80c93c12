/**
 * {@linkcode TriggerError}: what went wrong with a trigger rule, as a stable code plus the rule
 * (and the key) it concerns.
 *
 * @module
 */

/** Codes of {@linkcode TriggerError}. */
export type TriggerErrorCode =
  /** The rule is malformed (bad id, output inside its own prefix, unknown action, ...). */
  | "invalid_rule"
  /** A rule with that id exists already (`addTrigger` without `replace`). */
  | "exists"
  /** No rule with that id. */
  | "not_found"
  /** A stored rule or checkpoint does not parse. */
  | "corrupt_record";

/**
 * A trigger-rule failure.
 *
 * @example
 * ```ts
 * import { TriggerError } from "./trigger_error.ts";
 * const err = new TriggerError("not_found", 'No trigger rule "x"', { rule: "x" });
 * if (err.code !== "not_found" || err.rule !== "x") throw new Error();
 * ```
 */
export class TriggerError extends Error {
  override readonly name = "TriggerError";
  /** What went wrong, as a stable code. */
  readonly code: TriggerErrorCode;
  /** The rule's id, when known. */
  readonly rule?: string;
  /** The store key involved, when there is one. */
  readonly key?: string;

  constructor(
    code: TriggerErrorCode,
    message: string,
    options: { rule?: string; key?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.rule = options.rule;
    this.key = options.key;
  }
}
