import type { TSchema } from "@sinclair/typebox";
import { Value, ValueErrorType, type ValueError } from "@sinclair/typebox/value";
import { formatPath, pointerSegments, type PathProblem, type PathSegment } from "./paths.ts";
import { isSecretAt } from "./secrets.ts";
import { closest } from "./suggest.ts";

const TYPE_NAMES: Partial<Record<ValueErrorType, string>> = {
  [ValueErrorType.Integer]: "an integer",
  [ValueErrorType.Number]: "a number",
  [ValueErrorType.Boolean]: "true or false",
  [ValueErrorType.String]: "a string",
  [ValueErrorType.Object]: "a mapping",
  [ValueErrorType.Array]: "a list",
};

/** A value as a message shows it: strings quoted and capped, lists and mappings by kind. */
export function shown(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (Array.isArray(value)) return "a list";
  if (value && typeof value === "object") return "a mapping";
  return String(value);
}

/** `one of "a", "b"` for a union of literals. */
export function oneOf(values: readonly unknown[]): string {
  return `one of ${values.map((v) => JSON.stringify(v)).join(", ")}`;
}

/** What the failing schema wanted, in words. */
function expectation(error: ValueError): string {
  const schema = error.schema;
  const typeName = TYPE_NAMES[error.type];
  if (typeName) return typeName;
  switch (error.type) {
    case ValueErrorType.Union: {
      const literals = ((schema.anyOf as TSchema[] | undefined) ?? []).map((member) => member.const);
      return literals.length > 0 && literals.every((v) => v !== undefined) ? oneOf(literals) : "a valid value";
    }
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.NumberMinimum:
      return `at least ${schema.minimum}`;
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.NumberMaximum:
      return `at most ${schema.maximum}`;
    case ValueErrorType.IntegerExclusiveMinimum:
    case ValueErrorType.NumberExclusiveMinimum:
      return `more than ${schema.exclusiveMinimum}`;
    case ValueErrorType.IntegerExclusiveMaximum:
    case ValueErrorType.NumberExclusiveMaximum:
      return `less than ${schema.exclusiveMaximum}`;
    case ValueErrorType.StringMinLength:
      return schema.minLength === 1 ? "a non-empty string" : `at least ${schema.minLength} characters`;
    case ValueErrorType.StringMaxLength:
      return `at most ${schema.maxLength} characters`;
    case ValueErrorType.StringPattern:
      return typeof schema.expected === "string" ? schema.expected : `a string matching ${schema.pattern}`;
    default:
      return error.message.charAt(0).toLowerCase() + error.message.slice(1);
  }
}

/** The keys an object schema allows. */
const allowedKeys = (schema: TSchema): string[] => Object.keys((schema.properties as Record<string, TSchema> | undefined) ?? {});

/** "unknown key; did you mean `x`?" or, with no near key, the keys allowed there. */
function unknownKey(key: string, allowed: readonly string[]): { message: string; suggestion?: string } {
  const suggestion = closest(key, allowed);
  if (suggestion) return { message: `unknown key; did you mean \`${suggestion}\`?`, suggestion };
  return { message: `unknown key (allowed: ${allowed.join(", ")})` };
}

const isUnder = (path: string, parents: ReadonlySet<string>) => [...parents].some((parent) => path === parent || path.startsWith(`${parent}.`) || path.startsWith(`${parent}[`));

/**
 * Every way `value` breaks `schema`, worded for a user: the path as they write it, what was
 * expected, what was found (never for a secret field), the variable a referenced value came
 * from (`refs`), a suggestion for a misspelt key. Paths under `skip` (variables that are not set,
 * already reported) are left out.
 */
export function schemaProblems(schema: TSchema, value: unknown, refs: ReadonlyMap<string, string>, skip: ReadonlySet<string> = new Set()): PathProblem[] {
  const problems: PathProblem[] = [];
  const seen = new Set<string>();
  /** Keys a misspelling was taken for: their own "missing" is the same fault, not reported twice. */
  const suggested = new Set<string>();
  const missing: PathProblem[] = [];
  for (const error of Value.Errors(schema, value)) {
    const path = pointerSegments(error.path, value);
    const where = formatPath(path);
    if (seen.has(where) || isUnder(where, skip)) continue;
    seen.add(where);
    if (error.type === ValueErrorType.ObjectAdditionalProperties) {
      const unknown = unknownKey(String(path[path.length - 1]), allowedKeys(error.schema));
      if (unknown.suggestion) suggested.add(formatPath([...path.slice(0, -1), unknown.suggestion]));
      problems.push({ path, message: unknown.message });
    } else if (error.type === ValueErrorType.ObjectRequiredProperty) {
      missing.push({ path, message: "missing (required)" });
    } else {
      problems.push({ path, message: describeValue(schema, path, error, refs.get(where)) });
    }
  }
  return [...problems, ...missing.filter((problem) => !suggested.has(formatPath(problem.path)))];
}

/** "expected X, got Y", told about the variable a value came from, and silent about secrets. */
function describeValue(schema: TSchema, path: readonly PathSegment[], error: ValueError, variable: string | undefined): string {
  const expected = expectation(error);
  const secret = isSecretAt(schema, path);
  if (variable) return secret ? `expected ${expected}; os.environ/${variable} holds something else (not shown: a secret)` : `os.environ/${variable} is ${shown(error.value)}, expected ${expected}`;
  return secret ? `expected ${expected}` : `expected ${expected}, got ${shown(error.value)}`;
}
