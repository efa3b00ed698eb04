/**
 * LiteLLM's `general_settings.pass_through_endpoints` into Switchboard's `pass_through_endpoints`
 * (the same fields; `timeout` becomes `timeout_seconds`). What Switchboard does not apply is one
 * warning each; what it cannot honour safely (Langfuse's header pair) is a problem.
 */
import { asDict, judgeKey, toHeaders, toNumber, type Convert, type Dict, type Translator } from "./litellm-values.ts";
import { formatPath, type PathSegment } from "./paths.ts";
import { shown } from "./validate.ts";

/** Fields carried over as they are (some converted the way LiteLLM reads them). */
const TAKEN: Record<string, Convert | undefined> = {
  path: undefined,
  target: undefined,
  headers: toHeaders,
  forward_headers: undefined,
  include_subpath: undefined,
  cost_per_request: toNumber,
  default_query_params: toHeaders,
  // LiteLLM reads `str(auth).lower() == "true"`: "true" and "false" are booleans there.
  auth: (value) => ({ value: typeof value === "string" && /^\s*(true|false)\s*$/i.test(value) ? value.trim().toLowerCase() === "true" : value }),
  // Starlette upper-cases a route's methods.
  methods: (value) => ({ value: Array.isArray(value) ? value.map((method) => (typeof method === "string" ? method.toUpperCase() : method)) : value }),
};

/** Fields that change nothing here: an identifier of LiteLLM's database, and what Switchboard always does. */
const NO_EFFECT = new Set(["id", "is_from_config", "merge_query_params"]);

const KNOWN: ReadonlySet<string> = new Set([...Object.keys(TAKEN), ...NO_EFFECT, "timeout", "guardrails", "custom_auth_parser"]);

/** LiteLLM's Langfuse convenience: these two headers become one `Authorization: Basic` header. */
const LANGFUSE = ["LANGFUSE_PUBLIC_KEY", "LANGFUSE_SECRET_KEY"];

/** One endpoint's fields; `user` is its place in the user's file. */
function translateEntry(entry: Dict, index: number, user: PathSegment[], t: Translator): Dict {
  const out: Dict = {};
  const here = (key: string) => [...user, key];
  const to = (key: string) => ["pass_through_endpoints", index, key];
  t.origins.add(["pass_through_endpoints", index], user, true);
  for (const [key, value] of Object.entries(entry)) {
    if (key in TAKEN) {
      if (key === "headers" && LANGFUSE.some((name) => asDict(value)?.[name] !== undefined)) {
        t.problem(here(key), "LANGFUSE_PUBLIC_KEY / LANGFUSE_SECRET_KEY (which LiteLLM turns into Basic auth) are not supported: set `Authorization: Basic os.environ/NAME`, NAME holding base64 of public_key:secret_key");
        continue;
      }
      t.put(out, key, to(key), here(key), value, TAKEN[key], true);
    } else if (key === "timeout") t.put(out, "timeout_seconds", to("timeout_seconds"), here(key), value, toNumber);
    else if (key === "guardrails") {
      const names = Object.keys(asDict(value) ?? {});
      const which = names.length > 0 ? names.map((name) => `'${name}'`).join(", ") : "these guardrails";
      t.warnings.push(`${formatPath(here(key))}: guardrails are not supported yet: ${which} will NOT run on this endpoint, so its requests and answers pass unchecked`);
    } else if (key === "custom_auth_parser") {
      t.warnings.push(`${formatPath(here(key))}: ${shown(value)} is not supported: the key is read where every route reads it (Authorization: Bearer, x-api-key, api-key, x-litellm-api-key); ignored`);
    } else if (!NO_EFFECT.has(key)) {
      const verdict = judgeKey(key, KNOWN);
      if (verdict.kind === "misspelt") t.misspelt(here(key), verdict.suggestion);
      // Unknown keys reach the schema, which reports them at the user's path.
      else t.put(out, key, to(key), here(key), value, undefined, true);
    }
  }
  if (entry.auth === undefined || entry.auth === null) {
    t.warnings.push(
      `${formatPath(user)}: sets no auth: Switchboard requires a virtual key on it, as current LiteLLM does (older LiteLLM served such an endpoint to anyone); write auth: true to say so, or auth: false for a public endpoint`,
    );
  }
  return out;
}

/** The endpoints in Switchboard's format; undefined when the file has none. */
export function translatePassThroughEndpoints(value: unknown, user: PathSegment[], t: Translator): Dict[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    t.problem(user, `expected a list of endpoints ({path, target, headers, ...}), got ${shown(value)}`);
    return undefined;
  }
  return value.map((item, index) => {
    const entry = asDict(item);
    if (entry) return translateEntry(entry, index, [...user, index], t);
    // Carried over for the schema to report at the user's path.
    t.origins.add(["pass_through_endpoints", index], [...user, index]);
    return item as Dict;
  });
}
