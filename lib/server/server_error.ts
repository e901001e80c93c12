/**
 * {@linkcode ServerError}: a request the dispatcher refuses, as a stable code, an HTTP status
 * and, for an invalid body, the failing paths.
 *
 * @module
 */

/** Codes of {@linkcode ServerError}, each with one HTTP status ({@linkcode statusOf}). */
export type ServerErrorCode =
  /** No bearer token, or not the right one (the answer never says which). */
  | "unauthorized"
  /** No such route, job or stored code. */
  | "not_found"
  /** The route exists, not with this method. */
  | "method_not_allowed"
  /** The body is larger than the dispatcher accepts. */
  | "payload_too_large"
  /** The body is not JSON. */
  | "invalid_json"
  /** The body is JSON but not a valid request: see `issues`. */
  | "invalid_request"
  /** What the request would create exists already (a trigger rule id in use). */
  | "conflict"
  /** The request is valid but cannot be done (input resolves to no shards, say). */
  | "unprocessable"
  /** Something failed on the dispatcher's side. */
  | "internal";

const statuses: Record<ServerErrorCode, number> = {
  unauthorized: 401,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  invalid_json: 400,
  invalid_request: 400,
  conflict: 409,
  unprocessable: 422,
  internal: 500,
};

/**
 * The HTTP status of an error code.
 *
 * @example
 * ```ts
 * import { statusOf } from "./server_error.ts";
 * if (statusOf("payload_too_large") !== 413) throw new Error();
 * ```
 */
export function statusOf(code: ServerErrorCode): number {
  return statuses[code];
}

/** One failing path of an invalid request body. */
export interface RequestIssue {
  /** Dotted path into the body (`"input"`, `"object.key"`, `"[2].eventTime"`); `""` for the root. */
  path: string;
  /** What is wrong there. */
  message: string;
}

/**
 * A refused request. The dispatcher answers it as JSON:
 * `{"error": {"code", "message", "issues"?}}` with the code's status.
 *
 * @example
 * ```ts
 * import { ServerError } from "./server_error.ts";
 * const err = new ServerError("invalid_request", "Invalid job request", {
 *   issues: [{ path: "output", message: "Required" }],
 * });
 * if (err.status !== 400 || err.issues[0]?.path !== "output") throw new Error();
 * ```
 */
export class ServerError extends Error {
  override readonly name = "ServerError";
  /** What went wrong, as a stable code. */
  readonly code: ServerErrorCode;
  /** The HTTP status it is answered with. */
  readonly status: number;
  /** The failing paths, for `invalid_request`. */
  readonly issues: RequestIssue[];

  constructor(
    code: ServerErrorCode,
    message: string,
    options: { issues?: RequestIssue[]; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.status = statusOf(code);
    this.issues = options.issues ?? [];
  }

  /** The JSON body of the answer. */
  toJSON(): { error: { code: ServerErrorCode; message: string; issues?: RequestIssue[] } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.issues.length > 0 && { issues: this.issues }),
      },
    };
  }
}
