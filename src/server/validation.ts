import { GatewayError } from "../canonical/errors.ts";
import { echo } from "../canonical/echo.ts";

interface SchemaLike {
  anyOf?: SchemaLike[];
  const?: unknown;
  type?: unknown;
  properties?: Record<string, SchemaLike>;
  /** A schema may carry the wording of its own failure (`errorMessage: "expected a whole number"`). */
  errorMessage?: unknown;
}

interface ValueErrorLike {
  /** TypeBox's ValueErrorType. */
  type?: number;
  schema?: SchemaLike;
  path?: string;
  message?: string;
  summary?: string;
  value?: unknown;
  /** For a union: one iterator of errors per member. */
  errors?: Iterable<ValueErrorLike>[];
}

/** TypeBox's ValueErrorType.ObjectAdditionalProperties: a property the schema does not allow. */
const ADDITIONAL_PROPERTY = 42;
/** TypeBox's ValueErrorType.Union. */
const UNION = 62;

/** `/messages/0/role` -> `messages.0.role`, OpenAI's `param` style. */
export function pathToParam(path: string): string {
  return path.replace(/^\//, "").split("/").join(".");
}

function firstOf(errors: Iterable<ValueErrorLike>): ValueErrorLike | undefined {
  for (const error of errors) return error;
  return undefined;
}

/**
 * A union of one schema and `null` (an optional, clearable field) failed for a non-null value:
 * the member's own error says more ("expected number to be greater or equal to 0") than
 * "expected union value".
 */
function nullableMemberError(error: ValueErrorLike): ValueErrorLike | undefined {
  const members = error.schema?.anyOf;
  if (error.type !== UNION || !members || !error.errors || error.value === null) return undefined;
  const nonNull = members.map((member, index) => ({ member, index })).filter(({ member }) => member.type !== "null");
  if (nonNull.length !== 1 || nonNull.length === members.length) return undefined;
  const iterator = error.errors[(nonNull[0] as { index: number }).index];
  return iterator ? firstOf(iterator) : undefined;
}

/**
 * A union of entry shapes told apart by their `type` (a chat tool: a function tool or an MCP entry)
 * failed: the error of the one member the value's `type` selects names the field at fault, where the
 * union's own says only "expected union value". A member selects by its literal `type`, else (when no
 * literal matches) the one member whose `type` is any string does.
 */
function taggedMemberError(error: ValueErrorLike): ValueErrorLike | undefined {
  const members = error.schema?.anyOf;
  const value = error.value as { type?: unknown } | null | undefined;
  if (error.type !== UNION || !members || !error.errors || typeof value !== "object" || value === null || typeof value.type !== "string") return undefined;
  const kind = value.type;
  let index = members.findIndex((member) => member.properties?.type?.const === kind);
  if (index === -1) {
    const open = members.flatMap((member, i) => (member.properties?.type?.type === "string" && member.properties.type.const === undefined ? [i] : []));
    if (open.length !== 1) return undefined;
    index = open[0] as number;
  }
  const iterator = error.errors[index];
  return iterator ? firstOf(iterator) : undefined;
}

/**
 * Turns a TypeBox validation failure into a 400 that names the field and what it expected. Only
 * the first error is read: the iterator is lazy, and collecting every error of a body with a
 * million wrong items took half a second.
 */
export function validationError(errors: Iterable<unknown>): GatewayError {
  // TypeBox's ValueError, read through the few fields used here.
  let first = firstOf(errors as Iterable<ValueErrorLike>);
  const inner = (error: ValueErrorLike) => nullableMemberError(error) ?? taggedMemberError(error);
  for (let member = first && inner(first); member; member = inner(member)) first = member;
  const path = first?.path ?? "";
  // Object keys in the path are the client's: quoted, they are capped like any echoed input.
  const param = echo(pathToParam(path));
  if (first?.type === ADDITIONAL_PROPERTY && param) {
    return new GatewayError("caller.invalid_request", `Unknown or read-only field '${param}': it cannot be set here.`, { param });
  }
  const choices = first?.schema?.anyOf?.map((s) => s.const).filter((c) => c !== undefined);
  const custom = typeof first?.schema?.errorMessage === "string" ? first.schema.errorMessage : undefined;
  const what = custom ?? (choices && choices.length > 0 ? `expected one of ${choices.map((c) => JSON.stringify(c)).join(", ")}` : (first?.message ?? "is invalid"));
  if (!param) return new GatewayError("caller.invalid_request", `Invalid request body: ${what}.`);
  const missing = first?.value === undefined && /required|Expected/.test(what);
  const message = missing ? `Missing required field '${param}' (${what.toLowerCase()}).` : `Invalid value for '${param}': ${what.toLowerCase()}.`;
  return new GatewayError("caller.invalid_request", message, { param });
}
