/**
 * {@linkcode SchemaError} and {@linkcode SchemaIssue}: what went wrong when defining, validating,
 * importing or loading a schema.
 *
 * @module
 */

/** Codes of {@linkcode SchemaError}. */
export type SchemaErrorCode =
  /** A value does not match its schema (`issues` says where). */
  | "validation_failed"
  /** A schema definition is malformed: bad name, version, field name or option. */
  | "invalid_schema"
  /** Two schema versions cannot read each other's samples, or a version conflicts. */
  | "incompatible_version"
  /** No published schema with that name (and version). */
  | "not_found"
  /** An imported schema record (atdata local or published shape) is malformed. */
  | "invalid_record"
  /** An ndarray dtype that shardline does not know (`"<U10"`, `"complex64"`, ...). */
  | "unknown_dtype";

/**
 * One problem found while validating a value against a schema.
 *
 * @example
 * ```ts
 * import type { SchemaIssue } from "./schema_error.ts";
 * const issue: SchemaIssue = {
 *   path: ["tags", 1],
 *   expected: "str",
 *   received: "number 3",
 *   message: "Invalid input: expected str, received number 3",
 * };
 * ```
 */
export interface SchemaIssue {
  /** Where in the sample: field name, then list indexes. `[]` is the sample itself. */
  path: (string | number)[];
  /** What the schema wanted there, e.g. `"float"`, `"ndarray<float32>[2,2]"`, `"list<str>"`. */
  expected: string;
  /** What was found, e.g. `"string \"cat\""`, `"missing"`, `"number 2.5"`. */
  received: string;
  /** A readable sentence naming the problem. */
  message: string;
  /**
   * A stable code for the kind of problem: zod's issue code (`"invalid_type"`, `"custom"`, ...),
   * `"missing"`, `"out_of_range"` (an int beyond [-2^63, 2^64-1]), `"unknown_dtype"` or
   * `"decode_failed"`.
   */
  code?: string;
}

/**
 * An error from the schema layer, with a stable `code` and, for validation, the issues found.
 *
 * @example
 * ```ts
 * import { SchemaError } from "./schema_error.ts";
 * const err = new SchemaError("not_found", 'Cannot load schema "Image@1.0.0": not published');
 * if (err.code !== "not_found") throw new Error("unreachable");
 * ```
 */
export class SchemaError extends Error {
  override readonly name = "SchemaError";
  /** What went wrong, as a stable code. */
  readonly code: SchemaErrorCode;
  /** Validation issues (for `validation_failed`, `invalid_record`, `incompatible_version`). */
  readonly issues: SchemaIssue[];
  /** The store key or record path involved, when there is one. */
  readonly path?: string;

  constructor(
    code: SchemaErrorCode,
    message: string,
    options: { issues?: SchemaIssue[]; path?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.issues = options.issues ?? [];
    this.path = options.path;
  }
}

export {
  /**
   * Formats issues for an error message: `label: Invalid input: expected str, ...; ...`
   * (the first `max`, default 3, then a count of the rest).
   */
  formatIssues,
} from "./_issues.ts";
