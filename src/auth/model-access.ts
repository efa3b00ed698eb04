/**
 * Model allow-lists. An entry is an exact model name or a pattern ending in `*`; a pattern's
 * prefix must end at a separator (`openai/*` matches `openai/gpt-4o`, never `openaiz/x`), so a
 * provider name cannot be extended to reach another provider. An empty list allows everything.
 */
import { echo } from "../canonical/echo.ts";
import { GatewayError, type ErrorCode } from "../canonical/errors.ts";

/** Whether `model` is allowed by `allowed` (empty = all). */
export function modelAllowed(allowed: readonly string[], model: string): boolean {
  if (allowed.length === 0) return true;
  for (const entry of allowed) {
    if (entry === "*" || entry === model) return true;
    if (entry.endsWith("*") && matchesPattern(entry.slice(0, -1), model)) return true;
  }
  return false;
}

/** `prefix` is a pattern without its `*`: `openai/` (separator included) or a bare name meaning `name/`. */
function matchesPattern(prefix: string, model: string): boolean {
  const anchored = /[/:.\-_]$/.test(prefix) ? prefix : `${prefix}/`;
  return model.length > anchored.length && model.startsWith(anchored);
}

/** Whether a listed model name (possibly itself a pattern like `openai/*`) is usable under `allowed`. */
export function listedModelAllowed(allowed: readonly string[], listed: string): boolean {
  if (allowed.length === 0) return true;
  if (!listed.endsWith("*")) return modelAllowed(allowed, listed);
  // A listed pattern is shown when an allowed entry is the same pattern or a broader one.
  return allowed.some((entry) => entry === "*" || entry === listed || (entry.endsWith("*") && listed.startsWith(entry.slice(0, -1))));
}

/**
 * The model a name stands for with a key: the key's own alias, else its team's (LiteLLM's team
 * `model_aliases`), else the name itself. The target is what allow-lists are checked against.
 */
export function aliasedModel(keyAliases: Readonly<Record<string, string>>, teamAliases: Readonly<Record<string, string>> | undefined, requested: string): string {
  return keyAliases[requested] ?? teamAliases?.[requested] ?? requested;
}

/** Whose allow-list refused a model: the key's own, its team's, its user's or its organisation's. */
export type ModelAccessLevel = "key" | "team" | "user" | "org";

const DENIED_CODES = {
  key: "policy.key_model_denied",
  team: "policy.team_model_denied",
  user: "policy.user_model_denied",
  org: "policy.org_model_denied",
} as const satisfies Record<ModelAccessLevel, ErrorCode>;

// LiteLLM's opening words, which its clients and tests match ("key not allowed to access model").
const DENIED_SUBJECTS: Record<ModelAccessLevel, string> = { key: "API key", team: "Team", user: "User", org: "Organization" };

/**
 * The 403 for a model outside an allow-list, in LiteLLM's terms: its `error.type` per level
 * (`key_model_access_denied`, …), `param` "model", and `code` "401", the value LiteLLM sends there
 * (its status), so code comparing it keeps working; the HTTP status stays 403. `owner` names the
 * list's holder; `allowed` is that list (the caller's own, or its team's or user's).
 */
export function modelAccessDenied(level: ModelAccessLevel, owner: string, requested: string, target: string, allowed: readonly string[]): GatewayError {
  const alias = target !== requested ? ` (alias of '${echo(target)}')` : "";
  return new GatewayError(
    DENIED_CODES[level],
    `${DENIED_SUBJECTS[level]} not allowed to access model '${echo(requested)}'${alias}. ${owner} can use: ${echo(allowed.join(", "))}. GET /v1/models lists the models this key can use.`,
    { param: "model", wireCode: "401" },
  );
}
