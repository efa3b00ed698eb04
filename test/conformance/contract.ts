/**
 * The conformance suite's contract. Every provider is driven through the gateway by both official
 * SDKs (OpenAI and Anthropic) on the same features; its mock upstream (one file per provider in
 * providers/) checks what it receives against the provider's wire format for that feature and
 * answers in the provider's recorded shapes, streamed at random chunk boundaries.
 *
 * Each feature is its own upstream model: the gateway serves `<provider key>/<feature>` and sends
 * the upstream the model `FEATURE_MODEL[feature]` (Claude-named for the providers that route on it),
 * so the mock knows from the model in the URL or the body which feature it is answering.
 */

export const FEATURES = [
  "text",
  "system",
  "multi-turn",
  "image",
  "tool-call",
  "parallel-tools",
  "tool-result",
  "tool-names",
  "json-schema",
  "reasoning",
  "usage-cache",
  "finish-length",
  "error-400",
  "error-401",
  "error-429",
  "error-500",
  "abort",
] as const;
export type Feature = (typeof FEATURES)[number];

/** What a feature is called in the README's matrix. */
export const FEATURE_TITLES: Record<Feature, string> = {
  text: "plain text",
  system: "system prompt",
  "multi-turn": "multi-turn",
  image: "image input",
  "tool-call": "one tool call",
  "parallel-tools": "parallel tool calls",
  "tool-result": "tool result round trip",
  "tool-names": "tool names the upstream rejects",
  "json-schema": "JSON-schema output",
  reasoning: "reasoning / thinking",
  "usage-cache": "usage with cache tokens",
  "finish-length": "length finish",
  "error-400": "upstream 400",
  "error-401": "upstream 401",
  "error-429": "upstream 429",
  "error-500": "upstream 500",
  abort: "client abort",
};

/** The upstream model id of a feature; `claude-` leads so Vertex AI routes it to its Claude variant when the mock says so. */
export const featureModel = (feature: Feature, claude = false): string => (claude ? `claude-conf-${feature}` : `conf-${feature}`);

/** The feature a mock is asked for, from the upstream model id it received (undefined for an unknown id). */
export function featureOf(model: string): Feature | undefined {
  // `conf-text`, `claude-conf-text@…`, Bedrock's `anthropic.claude-conf-text-v1:0`.
  const match = /(?:^|[/@.])(?:claude-)?conf-([a-z0-9-]+?)(?=$|[:@/]|-v\d)/.exec(model);
  const name = match?.[1];
  return (FEATURES as readonly string[]).includes(name ?? "") ? (name as Feature) : undefined;
}

// ---------------------------------------------------------------------------------------------
// What the clients send (the gateway translates it) and what every mock must find in its wire.

/** A 1x1 PNG, base64 (what `image` sends, inline). */
export const PNG_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
export const SYSTEM_PROMPT = "You are a terse geography tutor.";
export const QUESTION = "What is the capital of France?";
/** `multi-turn`: user HISTORY[0], assistant HISTORY[1], then user QUESTION. */
export const HISTORY = ["Hi, I have a geography question.", "Sure, ask away."] as const;
export const IMAGE_QUESTION = "What colour is this pixel?";

/** The tools every tool feature offers (OpenAI function shape; JSON Schema parameters). */
export const TOOLS = [
  { name: "get_weather", description: "Current weather for a city.", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
  { name: "get_time", description: "Local time in a city.", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
] as const;

/** `tool-result`: the assistant's earlier call and the client's result for it. */
export const PRIOR_CALL = { id: "call_conf_1", name: "get_weather", arguments: { city: "Paris" } } as const;
export const TOOL_RESULT = "18 degrees and sunny";

/**
 * `tool-names`: tools named as clients name them (MCP servers, Claude Code) that some upstream
 * rejects: a dotted name (only Gemini takes it) and one of 88 characters (only Anthropic takes it;
 * OpenAI, Azure, Bedrock and Gemini stop at 64). Each mock checks the names it receives against its
 * own API's rule and calls every declared tool by the name it received, with ODD_ARGUMENTS; the
 * client must get its own names back.
 */
export const ODD_TOOLS = [
  { name: "files.read", description: "Read a file of the project.", parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] } },
  {
    name: "mcp__workspace-files__read_text_file_from_the_current_project_directory_by_relative_path",
    description: "Read a text file by its relative path.",
    parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
  },
] as const;
export const ODD_ARGUMENTS = { path: "README.md" } as const;

/** `tool-names`: what is wrong with the tools a mock received (its wire's names, descriptions and schemas, in order), or undefined. */
export function oddToolsProblem(declared: readonly { name: unknown; description: unknown; schema: unknown }[]): string | undefined {
  if (declared.length !== ODD_TOOLS.length) return `expected the ${ODD_TOOLS.length} tools of ODD_TOOLS, got ${declared.length}`;
  if (new Set(declared.map((tool) => tool.name)).size !== declared.length) return `tool names must be unique, got ${JSON.stringify(declared.map((tool) => tool.name))}`;
  for (const [i, want] of ODD_TOOLS.entries()) {
    const got = declared[i] as (typeof declared)[number];
    if (got.description !== want.description || !Bun.deepEquals(got.schema, want.parameters)) return `tool ${i} (${String(got.name)}) is not ${want.name} with its description and schema`;
  }
  return undefined;
}

/** `json-schema`: the schema asked for (name `city_info`). */
export const JSON_SCHEMA = {
  type: "object",
  properties: { city: { type: "string" }, country: { type: "string" } },
  required: ["city", "country"],
  additionalProperties: false,
} as const;

/** `reasoning`: thinking asked for with this budget (Anthropic) / effort `low` (OpenAI). */
export const THINKING_BUDGET = 1024;
/** `finish-length`: the output cap. */
export const LENGTH_MAX_TOKENS = 5;

// ---------------------------------------------------------------------------------------------
// What every mock answers (in its own wire shape), and so what the clients must get back.

export const ANSWER_TEXT = "Paris is the capital of France.";
export const TOOL_RESULT_ANSWER = "It is 18 degrees and sunny in Paris.";
export const JSON_ANSWER = { city: "Paris", country: "France" } as const;
export const REASONING_TEXT = "The user asks for the capital of France, which is Paris.";
/** `finish-length`: the text cut at the cap. */
export const LENGTH_TEXT = "Paris is the";
/** `tool-call` (streamed too): one call. */
export const TOOL_CALL = { name: "get_weather", arguments: { city: "Paris" } } as const;
/** `parallel-tools`: two calls in one answer. */
export const PARALLEL_CALLS = [
  { name: "get_weather", arguments: { city: "Paris" } },
  { name: "get_time", arguments: { city: "Paris" } },
] as const;

/**
 * Usage every mock reports, as the gateway's spec counts it (`input` is ALL prompt tokens, cache
 * reads and writes included; `output` includes reasoning). Each mock writes it in its wire's terms
 * (Anthropic and Bedrock count input without the cache; Gemini and OpenAI with it).
 */
export const USAGE = { input: 30, output: 10 } as const;
/** `usage-cache`: of USAGE.input, this many were read from the cache (and, where the provider has it, this many written). */
export const CACHE = { read: 20, write: 4 } as const;

/** Error features: the upstream message (the client's error must carry it), in the provider's own error shape. */
export const ERROR_MESSAGES = {
  "error-400": "Invalid value for temperature: conformance check.",
  "error-401": "The API key is not valid (conformance check).",
  "error-429": "Rate limit reached (conformance check).",
  "error-500": "The server had an error (conformance check).",
} as const;

// ---------------------------------------------------------------------------------------------
// A provider's side of the suite.

/** The config the gateway gets for one feature of one provider (ModelEntry fields other than model_name). */
export interface FeatureEntry {
  /** `<provider id>/<upstream model>` */
  model: string;
  [field: string]: unknown;
}

export interface ConformanceUpstream {
  /** The deployment for a feature: its `model` must name `featureModel(feature, …)` upstream. */
  entry(feature: Feature): FeatureEntry;
  /** Environment the model table reads (credentials given by variable). */
  env?: Record<string, string>;
  /**
   * What the mock found wrong in requests it received, one line each ("feature: what"); the suite
   * asserts it stays empty. A request that breaks the wire format is also answered with the
   * provider's 400, so the client fails too.
   */
  violations: string[];
  /** How many streamed answers the caller abandoned before their end (the `abort` feature). */
  aborted(): number;
  stop(): Promise<void>;
}

export interface ConformanceProvider {
  /** The matrix column, e.g. `gemini`, `vertex_ai (claude)`. */
  key: string;
  start(): Promise<ConformanceUpstream>;
  /** Features it cannot do, each with the reason the matrix shows. */
  skips?: Partial<Record<Feature, string>>;
  /** The provider counts cache writes besides reads (Anthropic, Bedrock): `usage-cache` then expects CACHE.write too. */
  cacheWrites?: boolean;
  /** The provider never returns reasoning text (OpenAI's Chat Completions): `reasoning` checks only the answer. */
  hiddenReasoning?: boolean;
}

// How each mock answers the features (in its wire's shape; streamed when the request streams):
// - text, system, multi-turn, image: ANSWER_TEXT, finish stop, USAGE.
// - tool-call: TOOL_CALL with a provider-made id, finish tool calls. Streamed: the arguments in
// at least two fragments where the wire streams them.
// - parallel-tools: PARALLEL_CALLS, finish tool calls.
// - tool-result: TOOL_RESULT_ANSWER, after checking the history holds PRIOR_CALL and its result.
// - tool-names: one call per declared tool, by the name received, with ODD_ARGUMENTS, finish tool
// calls, after checking the tools are ODD_TOOLS (oddToolsProblem) under names its API takes.
// - json-schema: JSON.stringify(JSON_ANSWER) as text (or as the forced tool's input where the
// provider has no schema mode), finish stop.
// - reasoning: REASONING_TEXT as thinking (with a signature where the wire has one), then ANSWER_TEXT.
// - usage-cache: ANSWER_TEXT with USAGE and CACHE read/write counts.
// - finish-length: LENGTH_TEXT, finish length/max tokens, after checking the cap is LENGTH_MAX_TOKENS.
// - error-*: the status with ERROR_MESSAGES[feature] in the provider's error body (429 with
// `retry-after: 1`).
// - abort: streams the first text chunk, then nothing until the caller goes away (counted).
// Checks of the request (each a violation when missing): system → SYSTEM_PROMPT in the wire's
// system place; multi-turn → HISTORY and QUESTION in order with the right roles; image → the PNG
// inline with its media type; tool features → both TOOLS declared with their schemas;
// json-schema → JSON_SCHEMA in the wire's schema place; reasoning → thinking enabled;
// finish-length → the cap.
