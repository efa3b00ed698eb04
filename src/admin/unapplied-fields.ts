/**
 * Management fields LiteLLM documents that Switchboard accepts but does not apply (a UI hint, an
 * enterprise feature). A LiteLLM script sends them routinely; refusing them would break it, and
 * dropping them silently would hide that they do nothing. So the body schema accepts them by name
 * (any other unknown field is still a 400), and the answer names them in `warnings`.
 */
import { Type, type TNull, type TOptional, type TUnknown } from "@sinclair/typebox";

/** Schema properties accepting each named field with any value, for spreading into a strict body schema. */
export function unappliedFields<const N extends string>(names: readonly N[]): Record<N, TOptional<TUnknown>> {
  const description = "Accepted for LiteLLM compatibility; not applied (named in the answer's `warnings`).";
  return Object.fromEntries(names.map((name) => [name, Type.Optional(Type.Unknown({ description }))])) as Record<N, TOptional<TUnknown>>;
}

/**
 * LiteLLM fields Switchboard refuses rather than ignore, because ignoring them would do something
 * else than asked (a chosen key string, a spend overwrite): each accepts only `null`, and any value is a
 * 400 giving `reason` (written lower-case: validation messages are).
 */
export function refusedFields<const N extends string>(reasons: Readonly<Record<N, string>>): Record<N, TOptional<TNull>> {
  return Object.fromEntries(Object.entries<string>(reasons).map(([name, reason]) => [name, Type.Optional(Type.Null({ errorMessage: reason, description: `Refused: ${reason}.` }))])) as Record<N, TOptional<TNull>>;
}

/** One warning per named field the body sets (a `null` sets nothing), in the order of `names`. */
export function unappliedWarnings(body: object, names: readonly string[]): string[] {
  const record = body as Record<string, unknown>;
  return names
    .filter((name) => record[name] !== undefined && record[name] !== null)
    .map((name) => `'${name}' is accepted for LiteLLM compatibility but not applied by Switchboard.`);
}

/** Removes the named fields from a body, so the rest maps onto the store as before. */
export function withoutUnapplied<T extends object>(body: T, names: readonly string[]): T {
  const out = { ...body } as Record<string, unknown>;
  for (const name of names) delete out[name];
  return out as T;
}

/** `answer` with `warnings` added when there are any (answers without warnings keep their shape). */
export function withWarnings<T extends object>(answer: T, warnings: readonly string[]): T & { warnings?: string[] } {
  return warnings.length > 0 ? { ...answer, warnings: [...warnings] } : answer;
}

/** The response schema property, for the OpenAPI document. */
export const WarningsProperty = {
  warnings: Type.Optional(Type.Array(Type.String(), { description: "Fields accepted for LiteLLM compatibility that Switchboard does not apply." })),
};
