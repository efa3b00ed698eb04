/**
 * Model allow-lists. An entry is an exact model name or a pattern ending in `*`; a pattern's
 * prefix must end at a separator (`openai/*` matches `openai/gpt-4o`, never `openaiz/x`), so a
 * provider name cannot be extended to reach another provider. An empty list allows everything.
 */

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
