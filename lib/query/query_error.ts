/**
 * {@linkcode QueryError}: what the query layer throws, with a stable code, and for bad input the
 * character position in the `where` text and the closest field name.
 *
 * @module
 */

/** Codes of {@linkcode QueryError}. */
export type QueryErrorCode =
  /** The `where` text is not a SQL boolean expression (DuckDB's parser refused it). */
  | "syntax_error"
  /** A name that is not a manifest field of the dataset. */
  | "unknown_field"
  /** A comparison between a field and a value of another type (`confidence > 'x'`). */
  | "type_mismatch"
  /**
   * Something that reaches beyond the manifests: a table function, a file reader, a subquery,
   * `;`, a comment, a parenthesis closing the expression early, a function not on the list.
   */
  | "forbidden"
  /** SQL the planner does not handle (`IS DISTINCT FROM`, `CASE`, qualified names). */
  | "unsupported"
  /** An option out of range or of the wrong shape (`limit: -1`, an unknown filter operator). */
  | "invalid_option"
  /** The dataset, a sample key, a view or a view's source shard is absent. */
  | "not_found"
  /**
   * A view's job failed, was cancelled or stalled: no view was recorded. `job` names it; its
   * status (`status(store, job)`, `deno task cli status <job>`) and task results say why.
   */
  | "job_failed";

/**
 * An error from the query layer.
 *
 * @example
 * ```ts
 * import { QueryError } from "./query_error.ts";
 * const err = new QueryError("unknown_field", 'Unknown field "lable" (did you mean "label"?)', {
 *   field: "lable",
 *   suggestion: "label",
 * });
 * if (err.code !== "unknown_field" || err.suggestion !== "label") throw new Error();
 * ```
 */
export class QueryError extends Error {
  override readonly name = "QueryError";
  /** What went wrong, as a stable code. */
  readonly code: QueryErrorCode;
  /** The offending field name, when there is one. */
  readonly field?: string;
  /** The closest known field name, for `unknown_field`. */
  readonly suggestion?: string;
  /** Character position in the `where` text, when known. */
  readonly position?: number;
  /** The shard involved, when there is one. */
  readonly shard?: string;
  /** The sample key involved, when there is one. */
  readonly key?: string;
  /** The job involved (`job_failed`). */
  readonly job?: string;

  constructor(
    code: QueryErrorCode,
    message: string,
    options: {
      field?: string;
      suggestion?: string;
      position?: number;
      shard?: string;
      key?: string;
      job?: string;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.field = options.field;
    this.suggestion = options.suggestion;
    this.position = options.position;
    this.shard = options.shard;
    this.key = options.key;
    this.job = options.job;
  }
}
