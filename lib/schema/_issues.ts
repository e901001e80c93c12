/**
 * Turns zod issues into {@linkcode SchemaIssue}s that name the field path, what the schema
 * expected there and what was received. Private to the schema area and the codecs.
 *
 * @module
 */
import type { z } from "zod";
import type { Field } from "./field.ts";
import { isNDArray } from "./nd_array.ts";
import { dtypeInfo } from "./_dtype.ts";
import type { SchemaIssue } from "./schema_error.ts";

/** Describes a field's type: `"str"`, `"list<int>"`, `"ndarray<float32>[2,*]"`, `"optional<float>"`. */
export function describeField(field: Field): string {
  switch (field.kind) {
    case "list":
      return `list<${describeField(field.item!)}>`;
    case "optional":
      return `optional<${describeField(field.inner!)}>`;
    case "ndarray":
      return `ndarray<${field.dtype ? dtypeName(field.dtype) : "any"}>` +
        (field.shape ? `[${field.shape.map((d) => d ?? "*").join(",")}]` : "");
    default:
      return field.kind;
  }
}

function dtypeName(dtype: string): string {
  try {
    return dtypeInfo(dtype).name;
  } catch {
    return dtype;
  }
}

/** True for a plain object shaped like an `NDArray` (`{ dtype, shape, data }`) that is not one. */
export function isNDArrayLike(x: unknown): boolean {
  if (typeof x !== "object" || x === null || isNDArray(x)) return false;
  return "dtype" in x && "shape" in x && "data" in x;
}

/** The issue message for an {@linkcode isNDArrayLike} value in an ndarray field. */
export const NDARRAY_LIKE_MESSAGE = "Invalid input: expected an NDArray, received a plain " +
  "{ dtype, shape, data } object: make one with NDArray.from(data, { dtype, shape })";

/** Describes a received value briefly: `string "cat"`, `number 2.5`, `missing`, `Uint8Array(3)`. */
export function describeValue(v: unknown): string {
  if (v === undefined) return "missing";
  if (v === null) return "null";
  switch (typeof v) {
    case "string": {
      const s = v.length > 40 ? v.slice(0, 37) + "..." : v;
      return `string ${JSON.stringify(s)}`;
    }
    case "number":
    case "bigint":
    case "boolean":
      return `${typeof v} ${String(v)}`;
  }
  if (v instanceof Date) return `Date ${isNaN(v.getTime()) ? "(invalid)" : v.toISOString()}`;
  if (isNDArray(v)) return `ndarray<${dtypeName(v.dtype)}>[${v.shape.join(",")}]`;
  if (isNDArrayLike(v)) return "plain object { dtype, shape, data }";
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${v.byteLength} bytes)`;
  if (Array.isArray(v)) return `array(${v.length})`;
  return typeof v === "object" ? (v.constructor?.name ?? "object") : typeof v;
}

/** The field at a sample path (`["tags", 2]` gives the list's item field). */
export function fieldAt(fields: Record<string, Field>, path: PropertyKey[]): Field | undefined {
  let field: Field | undefined = typeof path[0] === "string" ? fields[path[0]] : undefined;
  for (const step of path.slice(1)) {
    while (field?.kind === "optional") field = field.inner;
    field = typeof step === "number" && field?.kind === "list" ? field.item : undefined;
  }
  return field;
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let v = input;
  for (const step of path) {
    if (typeof v !== "object" || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[step];
  }
  return v;
}

/** Converts zod issues raised while validating `input` against `fields`. */
export function fromZodIssues(
  issues: readonly z.core.$ZodIssue[],
  fields: Record<string, Field>,
  input: unknown,
): SchemaIssue[] {
  return issues.map((issue) => {
    const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
    const field = fieldAt(fields, path);
    const value = valueAt(input, path);
    // Checks beyond the type (int range) name what they expect, and a code, in their params.
    const params = issue.code === "custom"
      ? issue.params as { code?: string; expected?: string } | undefined
      : undefined;
    const expected = params?.expected ??
      (field
        ? describeField(field)
        : ("expected" in issue ? String(issue.expected) : "valid value"));
    const received = describeValue(value);
    const generic = issue.code === "invalid_type" || issue.code === "invalid_union" ||
      params?.expected !== undefined ||
      (issue.code === "custom" && issue.message === "Invalid input");
    const missing = value === undefined && path.length === 1 && field !== undefined;
    const message = missing
      ? `Missing required field "${path[0]}" (expected ${expected})`
      : generic
      ? `Invalid input: expected ${expected}, received ${received}`
      : issue.message;
    return {
      path,
      expected,
      received,
      message,
      code: missing ? "missing" : params?.code ?? issue.code,
    };
  });
}

/** Formats issues for an error message: `label: expected str, received ...; ...`. */
export function formatIssues(issues: SchemaIssue[], max = 3): string {
  const shown = issues.slice(0, max).map((i) =>
    `${i.path.length ? i.path.join(".") : "(sample)"}: ${i.message}`
  );
  const more = issues.length > max ? `; and ${issues.length - max} more` : "";
  return shown.join("; ") + more;
}
