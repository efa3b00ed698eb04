import type { Static, TSchema } from "@sinclair/typebox";
import { TypeCompiler, type TypeCheck } from "@sinclair/typebox/compiler";
import { validationError } from "../server/validation.ts";

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

/**
 * Checks a value against a request schema the way the route handler does (same 400 wording), for
 * input that does not arrive through a route's `body` (the CLI, an optional body).
 */
export function checkBody<T extends TSchema>(schema: T, value: unknown): Static<T> {
  let check = compiled.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    compiled.set(schema, check);
  }
  if (!check.Check(value)) throw validationError(check.Errors(value));
  return value as Static<T>;
}
