import { STRATEGIES, type Strategy } from "../router/types.ts";
import { LITELLM_STRATEGIES } from "./litellm-keys.ts";
import { formatPath, Origins, type PathSegment } from "./paths.ts";
import { ENV_REF } from "./secrets.ts";
import { closest } from "./suggest.ts";
import { oneOf, shown } from "./validate.ts";

export type Dict = Record<string, unknown>;
export const asDict = (value: unknown): Dict | undefined => (value && typeof value === "object" && !Array.isArray(value) ? (value as Dict) : undefined);

/** A LiteLLM value in Switchboard's terms: the value (undefined: leave the field out), or what is wrong with it, or what the user should know. */
export interface Converted {
  value?: unknown;
  problem?: string;
  warning?: string;
  /** Fields of the same mapping the value also sets (a Vertex AI model URL names its project and location). */
  siblings?: Dict;
}
/** Turns a LiteLLM value into Switchboard's. Anything it cannot read is passed on as is, for the schema to report at the user's path. */
export type Convert = (value: unknown) => Converted;

const NUMERIC = /^\s*[+-]?\d+(\.\d+)?\s*$/;

/** A number, or a string of one (LiteLLM's pydantic models accept `"600"` for a number). */
export const toNumber: Convert = (value) => ({ value: typeof value === "string" && NUMERIC.test(value) ? Number(value) : value });

/** A whole number: LiteLLM's fractional rpm, tpm or order rounded down. */
export const toWhole: Convert = (value) => {
  const number = toNumber(value).value;
  return { value: typeof number === "number" ? Math.floor(number) : number };
};

/** num_retries: Switchboard retries at most 10 times. */
export const toRetries: Convert = (value) => {
  const number = toWhole(value).value;
  return { value: typeof number === "number" ? Math.min(number, 10) : number };
};

/** LiteLLM's routing_strategy names, and the Switchboard strategy each is. */
const STRATEGY_NAMES: Partial<Record<(typeof LITELLM_STRATEGIES)[number], Strategy>> = {
  "simple-shuffle": "simple-shuffle",
  "least-busy": "least-busy",
  "latency-based-routing": "latency-based",
  "usage-based-routing": "usage-based",
  "usage-based-routing-v2": "usage-based",
  "cost-based-routing": "cost-based",
};

/** routing_strategy: LiteLLM's name for one of our strategies; a LiteLLM strategy we lack falls back, with a warning. */
export const toStrategy: Convert = (value) => {
  const strategy = typeof value === "string" ? STRATEGY_NAMES[value as keyof typeof STRATEGY_NAMES] : undefined;
  if (strategy && STRATEGIES.includes(strategy)) return { value: strategy };
  if (typeof value === "string" && (LITELLM_STRATEGIES as readonly string[]).includes(value)) return { warning: `${value} is not supported yet; using simple-shuffle` };
  return { problem: `expected ${oneOf(LITELLM_STRATEGIES)}, got ${shown(value)}` };
};

/** extra_headers: header values as strings (YAML reads `X-Num: 7` as a number). */
export const toHeaders: Convert = (value) => {
  const headers = asDict(value);
  return { value: headers ? Object.fromEntries(Object.entries(headers).map(([name, v]) => [name, typeof v === "string" ? v : String(v)])) : value };
};

/** vertex_credentials: LiteLLM also takes the service account as a mapping; Switchboard takes its JSON text. */
export const toCredentialsText: Convert = (value) => ({ value: asDict(value) ? JSON.stringify(value) : value });

/** model_info.id: LiteLLM turns a numeric id into text. */
export const toIdText: Convert = (value) => ({ value: typeof value === "number" ? String(value) : value });

/** LiteLLM writes fallbacks as a list of one-key maps: `[{"gpt-4": ["gpt-3.5"]}]`. */
export const toFallbackMap: Convert = (value) => {
  const wanted = 'a list of {model: [fallback models]} mappings, e.g. [{"gpt-4o": ["claude"]}]';
  if (!Array.isArray(value)) return { problem: `expected ${wanted}, got ${shown(value)}` };
  const out: Record<string, string[]> = {};
  for (const item of value) {
    const map = asDict(item);
    if (!map) return { problem: `expected ${wanted}, got an item that is ${shown(item)}` };
    for (const [model, list] of Object.entries(map)) out[model] = (Array.isArray(list) ? list : [list]) as string[];
  }
  return { value: out };
};

/** routing_strategy_args: Switchboard reads lowest_latency_buffer; other arguments are named in a warning. */
export const toLatencyBuffer: Convert = (value) => {
  const args = asDict(value);
  if (!args) return { problem: `expected a mapping, got ${shown(value)}` };
  const other = Object.keys(args).filter((key) => key !== "lowest_latency_buffer");
  return { value: args.lowest_latency_buffer, ...(other.length > 0 ? { warning: `${other.join(", ")} not supported yet; ignored` } : {}) };
};

/** What to do with a key Switchboard does not translate. */
export type KeyVerdict = { kind: "known" } | { kind: "misspelt"; suggestion: string } | { kind: "unknown" };

/** A key LiteLLM knows (not yet supported), a slip away from one (an error), or neither (LiteLLM would ignore or pass it on). */
export function judgeKey(key: string, known: ReadonlySet<string>): KeyVerdict {
  if (known.has(key)) return { kind: "known" };
  const suggestion = closest(key, known);
  return suggestion ? { kind: "misspelt", suggestion } : { kind: "unknown" };
}

/** A translated value waiting for its `os.environ/` reference to be resolved before it can be converted. */
interface Pending {
  path: PathSegment[];
  user: PathSegment[];
  convert: Convert;
}

/** The translation's output and bookkeeping: problems and warnings with the user's paths, where each field came from. */
export class Translator {
  readonly problems: string[] = [];
  readonly warnings: string[] = [];
  readonly origins = new Origins();
  private readonly pending: Pending[] = [];

  /** A problem at the user's path. */
  problem(user: readonly PathSegment[], message: string): void {
    this.problems.push(`${formatPath(user)}: ${message}`);
  }

  /** "unknown key; did you mean `x`?" at the user's path. */
  misspelt(user: readonly PathSegment[], suggestion: string): void {
    this.problem(user, `unknown key; did you mean \`${suggestion}\`?`);
  }

  /**
   * Sets `target[key]` (at translated path `path`) from the user's value at `user`, converted.
   * A reference is kept as written, converted once resolved; `sameBelow`: the value keeps its
   * shape, so paths inside it map one to one.
   */
  put(target: Dict, key: string, path: PathSegment[], user: PathSegment[], value: unknown, convert?: Convert, sameBelow = false): void {
    this.origins.add(path, user, sameBelow);
    if (typeof value === "string" && ENV_REF.test(value.trim())) {
      target[key] = value;
      if (convert) this.pending.push({ path, user, convert });
      return;
    }
    const converted = convert ? convert(value) : { value };
    this.settle(user, converted, target, key, path);
  }

  private settle(user: readonly PathSegment[], converted: Converted, parent: Dict, key: string, path: readonly PathSegment[]): void {
    if (converted.warning) this.warnings.push(`${formatPath(user)}: ${converted.warning}`);
    if (converted.problem) return this.problem(user, converted.problem);
    if (converted.value !== undefined) parent[key] = converted.value;
    for (const [sibling, value] of Object.entries(converted.siblings ?? {})) {
      const written = parent[sibling];
      if (written !== undefined && written !== value) this.warnings.push(`${formatPath(user)}: sets ${sibling} to ${shown(value)} (the URL wins, as in LiteLLM), not ${shown(written)}`);
      parent[sibling] = value;
      this.origins.add([...path.slice(0, -1), sibling], user);
    }
  }

  /** Converts the referenced values of `config` once resolved; returns the problems and warnings that adds. */
  convertResolved(config: unknown): { problems: string[]; warnings: string[] } {
    const before = { problems: this.problems.length, warnings: this.warnings.length };
    for (const { path, user, convert } of this.pending) {
      const parent = path.slice(0, -1).reduce<unknown>((node, segment) => (node as Record<PathSegment, unknown> | undefined)?.[segment], config) as Dict | undefined;
      const key = path[path.length - 1] as string;
      if (!parent || parent[key] === undefined) continue;
      const converted = convert(parent[key]);
      if (converted.value === undefined && !converted.problem) delete parent[key];
      this.settle(user, converted, parent, key, path);
    }
    return { problems: this.problems.slice(before.problems), warnings: this.warnings.slice(before.warnings) };
  }
}
