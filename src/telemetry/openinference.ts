/**
 * OpenInference span attributes (Arize / Phoenix) for one finished gateway call. Pure: the caller
 * hands in the bodies it already has and gets a flat attribute map back. Emitting never throws;
 * each source is read in its own try, so malformed input yields fewer attributes. Only bodies
 * come in (never headers), and string values under credential-like keys are masked in the JSON.
 */
import {
  LLMProvider,
  LLMSystem,
  MimeType,
  OpenInferenceSpanKind,
  SemanticConventions as SC,
} from "@arizeai/openinference-semantic-conventions";
import { REDACTED, isObject, writeMessage, type Attributes, type Message, type Sink } from "./openinference-messages.ts";
import { WIRE_MESSAGES } from "./openinference-native.ts";
import type { NativeWire } from "./native-wire.ts";
import type { CostBreakdown } from "../pricing/types.ts";
import type { Usage } from "../canonical/usage.ts";

export { REDACTED, type Attributes };

export interface TraceCall {
  operation: "chat" | "embeddings";
  /**
   * The bodies' wire format. "openai": chat.completions / embeddings bodies; "anthropic": Messages API
   * bodies; a pass-through call's native ones ("openai-responses", "gemini", "cohere").
   */
  dialect: NativeWire;
  /**
   * A pass-through call's native bodies: invocation parameters are only the known generation
   * settings (a native body keeps prompt text under many names), and redaction also keeps tools
   * and metadata out, so no part of the body is exported.
   */
  native?: boolean;
  /** The request body as the client sent it (parsed JSON). */
  request: Record<string, unknown>;
  /** The same body as text, when at hand: `input.value` then reuses it instead of serialising the parsed body again. */
  requestText?: string;
  /** The buffered answer as the client received it (parsed JSON, client's format), when not streamed and successful. */
  response?: Record<string, unknown>;
  /** For a stream: the data payloads of the SSE events the client received, in order (the client's format; OpenAI's "[DONE]" may be among them; Anthropic events carry their `type` in the JSON). */
  streamEvents?: string[];
  /** The model name the client asked for. */
  model: string;
  /** The model sent upstream. */
  upstreamModel?: string;
  /** Provider id: "openai", "anthropic", "groq", "mock", "openai_compatible", ... */
  provider?: string;
  /** `input` counts ALL prompt tokens, cache reads and writes included. */
  usage?: Usage;
  /** Nano-dollars (integers): total and breakdown. */
  cost?: CostBreakdown;
  /** The request's `user` field (OpenAI) / metadata.user_id (Anthropic). */
  endUser?: string;
  /** Only from an explicit header or metadata field; never derived. */
  sessionId?: string;
  tags?: string[];
  metadata?: Record<string, unknown>;
  gateway: { callId: string; deploymentId?: string; keyAlias?: string; teamId?: string; teamAlias?: string };
  /** Remove prompt/completion text, tool arguments and images: replaced by REDACTED; counts, model, cost, timing stay. */
  redact: boolean;
}

export function spanKindOf(call: Pick<TraceCall, "operation">): "LLM" | "EMBEDDING" {
  return call?.operation === "embeddings" ? OpenInferenceSpanKind.EMBEDDING : OpenInferenceSpanKind.LLM;
}

/** Provider ids whose OpenInference `llm.system` differs from the id, or is worth naming. */
/** `llm.provider`: who hosts the model, in OpenInference's names where it has one; other ids as they are. */
const HOSTS: Record<string, string> = {
  gemini: LLMProvider.GOOGLE,
  vertex_ai: LLMProvider.GOOGLE,
  bedrock: LLMProvider.AWS,
  azure: LLMProvider.AZURE,
  mistral: LLMProvider.MISTRALAI,
};

const SYSTEMS: Record<string, string> = {
  openai: LLMSystem.OPENAI,
  azure: LLMSystem.OPENAI,
  anthropic: LLMSystem.ANTHROPIC,
  mistral: LLMSystem.MISTRALAI,
  mistralai: LLMSystem.MISTRALAI,
  cohere: LLMSystem.COHERE,
  vertex_ai: LLMSystem.VERTEXAI,
  vertexai: LLMSystem.VERTEXAI,
  gemini: LLMSystem.VERTEXAI,
  ai21: LLMSystem.AI21,
  meta: LLMSystem.META,
  bedrock: LLMSystem.AMAZON,
};

/** The generation settings of native bodies, the only keys their invocation parameters show. */
const NATIVE_PARAMETERS = new Set([
  "temperature", "top_p", "top_k", "max_tokens", "max_completion_tokens", "max_output_tokens", "n", "seed",
  "frequency_penalty", "presence_penalty", "logprobs", "top_logprobs", "tool_choice", "parallel_tool_calls",
  "reasoning_effort", "reasoning", "thinking", "service_tier", "store", "truncation", "dimensions", "encoding_format",
  "generationConfig", "parameters", "input_type", "embedding_types", "k", "p", "safety_mode", "random_seed", "safe_prompt", "verbosity",
  "inferenceConfig",
]);

/**
 * A native setting as redaction leaves it: numbers and booleans, and a top-level string (an enum:
 * `tool_choice: "auto"`, `service_tier`); a nested string or a list may be the caller's text (a
 * schema's description, stop sequences, a forced tool's name), so it goes. Undefined when nothing is left.
 */
function settingsOnly(value: unknown, top: boolean): unknown {
  if (typeof value === "number" || typeof value === "boolean" || (top && typeof value === "string")) return value;
  if (!isObject(value)) return undefined;
  const kept: Record<string, unknown> = {};
  let any = false;
  for (const [key, inner] of Object.entries(value)) {
    const setting = settingsOnly(inner, false);
    if (setting === undefined) continue;
    kept[key] = setting;
    any = true;
  }
  return any ? kept : undefined;
}

/** Request keys that are not invocation parameters: carried elsewhere, or prompt text (`input`, `prompt`, `prediction`). */
const NOT_PARAMETERS = new Set([
  "messages", "system", "tools", "model", "stream", "stream_options", "metadata", "user",
  "input", "prompt", "prediction",
]);

/** String values under these keys (e.g. an MCP server's `authorization_token`) never reach a span. */
const SECRET_KEYS = new Set(["authorization", "authorization_token", "api_key", "apikey", "x-api-key"]);
const maskSecrets = (key: string, value: unknown): unknown =>
  typeof value === "string" && SECRET_KEYS.has(key.toLowerCase()) ? REDACTED : value;
/** Whether a body's text could hold one of SECRET_KEYS at all; only then must its JSON be masked (a replacer costs a call per value). */
const MAY_HOLD_SECRETS = /authorization|api_?key/i;

// Not in the semantic conventions: the gateway's own attributes.
const GATEWAY_CALL_ID = "switchboard.call_id";
const GATEWAY_DEPLOYMENT = "switchboard.deployment";
const GATEWAY_KEY_ALIAS = "switchboard.key_alias";
const GATEWAY_TEAM_ID = "switchboard.team_id";
const GATEWAY_TEAM_ALIAS = "switchboard.team_alias";

const num = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) ? value : undefined;

const nonEmpty = (value: unknown): value is string => typeof value === "string" && value !== "";

function attempt(block: () => void): void {
  try {
    block();
  } catch {
    // a malformed source costs only its own attributes
  }
}

export function openInferenceAttributes(call: TraceCall): Attributes {
  const attrs: Attributes = {};
  // Redaction is the safe default: only an explicit `false` lets text through.
  const sink: Sink = { attrs, redact: call?.redact !== false };
  const request: Record<string, unknown> = isObject(call?.request) ? call.request : {};
  const chat = call?.operation !== "embeddings";
  const native = call?.native === true;
  // Under redaction a native body gives nothing beyond its generation settings.
  const hideBody = native && sink.redact;
  const wire = WIRE_MESSAGES[call?.dialect] ?? WIRE_MESSAGES.openai;
  const requestText = typeof call?.requestText === "string" && !MAY_HOLD_SECRETS.test(call.requestText) ? call.requestText : undefined;
  const replacer = requestText === undefined ? maskSecrets : undefined;

  attempt(() => {
    attrs[SC.OPENINFERENCE_SPAN_KIND] = spanKindOf(call);
  });
  attempt(() => modelAttributes(attrs, call, chat));
  attempt(() => {
    const params: Record<string, unknown> = {};
    let any = false;
    for (const key of Object.keys(request)) {
      if (native ? !NATIVE_PARAMETERS.has(key) : NOT_PARAMETERS.has(key)) continue;
      const value = hideBody ? settingsOnly(request[key], true) : request[key];
      if (value === undefined) continue;
      params[key] = value;
      any = true;
    }
    if (any) attrs[SC.LLM_INVOCATION_PARAMETERS] = JSON.stringify(params, replacer);
  });
  attempt(() => {
    // A native body that was not JSON has no value to show (its span says why).
    if (!isObject(call.request) || (native && typeof call.requestText !== "string")) return;
    attrs[SC.INPUT_VALUE] = sink.redact ? REDACTED : (requestText ?? JSON.stringify(call.request, maskSecrets));
    attrs[SC.INPUT_MIME_TYPE] = sink.redact ? MimeType.TEXT : MimeType.JSON;
  });

  if (chat) {
    attempt(() => {
      if (hideBody || !Array.isArray(request.tools)) return;
      let n = 0;
      for (const tool of request.tools) {
        const schema = JSON.stringify(tool);
        if (schema !== undefined) attrs[`${SC.LLM_TOOLS}.${n++}.${SC.TOOL_JSON_SCHEMA}`] = schema;
      }
    });
    attempt(() => wire.input(sink, SC.LLM_INPUT_MESSAGES, request));
    attempt(() => outputAttributes(sink, call));
  } else {
    attempt(() => embeddingAttributes(sink, wire.embedTexts(request)));
  }

  attempt(() => tokenAttributes(attrs, call.usage));
  attempt(() => costAttributes(attrs, call.cost));
  attempt(() => {
    if (nonEmpty(call.endUser)) attrs[SC.USER_ID] = call.endUser;
    if (nonEmpty(call.sessionId)) attrs[SC.SESSION_ID] = call.sessionId;
  });
  attempt(() => {
    if (!hideBody && isObject(call.metadata)) attrs[SC.METADATA] = JSON.stringify(call.metadata, maskSecrets);
  });
  attempt(() => {
    if (!Array.isArray(call.tags)) return;
    const tags = call.tags.filter((tag): tag is string => typeof tag === "string");
    if (tags.length > 0) attrs[SC.TAG_TAGS] = tags;
  });
  attempt(() => {
    const gateway = call.gateway;
    if (!isObject(gateway)) return;
    if (nonEmpty(gateway.callId)) attrs[GATEWAY_CALL_ID] = gateway.callId;
    if (nonEmpty(gateway.deploymentId)) attrs[GATEWAY_DEPLOYMENT] = gateway.deploymentId;
    if (nonEmpty(gateway.keyAlias)) attrs[GATEWAY_KEY_ALIAS] = gateway.keyAlias;
    if (nonEmpty(gateway.teamId)) attrs[GATEWAY_TEAM_ID] = gateway.teamId;
    if (nonEmpty(gateway.teamAlias)) attrs[GATEWAY_TEAM_ALIAS] = gateway.teamAlias;
  });
  return attrs;
}

function modelAttributes(attrs: Attributes, call: TraceCall, chat: boolean): void {
  const provider = call.provider;
  if (nonEmpty(provider)) {
    attrs[SC.LLM_SYSTEM] = SYSTEMS[provider.toLowerCase()] ?? provider;
    attrs[SC.LLM_PROVIDER] = HOSTS[provider.toLowerCase()] ?? provider;
  }
  const model = nonEmpty(call.upstreamModel) ? call.upstreamModel : call.model;
  if (!nonEmpty(model)) return;
  attrs[SC.LLM_MODEL_NAME] = model;
  if (!chat) attrs[SC.EMBEDDING_MODEL_NAME] = model;
}

/** The answer: `llm.output_messages.0` plus `output.value` (text, or a JSON summary of tool calls). */
function outputAttributes(sink: Sink, call: TraceCall): void {
  const wire = WIRE_MESSAGES[call.dialect] ?? WIRE_MESSAGES.openai;
  let message: Message | undefined;
  if (isObject(call.response)) message = wire.answer(call.response);
  if (!message && Array.isArray(call.streamEvents)) message = wire.stream(call.streamEvents);
  if (!message) return;
  writeMessage(sink, `${SC.LLM_OUTPUT_MESSAGES}.0`, message);
  let value: string;
  let mime: MimeType;
  if (nonEmpty(message.content)) {
    value = message.content;
    mime = MimeType.TEXT;
  } else if (message.toolCalls) {
    value = JSON.stringify(message.toolCalls.map(({ id, name, arguments: args }) => ({ id, name, arguments: args })));
    mime = MimeType.JSON;
  } else return;
  sink.attrs[SC.OUTPUT_VALUE] = sink.redact ? REDACTED : value;
  sink.attrs[SC.OUTPUT_MIME_TYPE] = sink.redact ? MimeType.TEXT : mime;
}

/** Input texts as `embedding.embeddings.N.embedding.text` (N = position in the request's texts); never vectors. */
function embeddingAttributes(sink: Sink, texts: readonly unknown[]): void {
  texts.forEach((text, n) => {
    if (typeof text !== "string") return; // token arrays carry no text
    sink.attrs[`${SC.EMBEDDING_EMBEDDINGS}.${n}.${SC.EMBEDDING_TEXT}`] = sink.redact ? REDACTED : text;
  });
}

function tokenAttributes(attrs: Attributes, usage: TraceCall["usage"]): void {
  if (!isObject(usage)) return;
  const input = num(usage.input);
  const output = num(usage.output);
  if (input !== undefined) attrs[SC.LLM_TOKEN_COUNT_PROMPT] = input;
  if (output !== undefined) attrs[SC.LLM_TOKEN_COUNT_COMPLETION] = output;
  if (input !== undefined || output !== undefined) attrs[SC.LLM_TOKEN_COUNT_TOTAL] = (input ?? 0) + (output ?? 0);
  const details: [string, unknown][] = [
    [SC.LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_READ, usage.cacheRead],
    [SC.LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_WRITE, usage.cacheWrite],
    [SC.LLM_TOKEN_COUNT_PROMPT_DETAILS_AUDIO, usage.audioInput],
    [SC.LLM_TOKEN_COUNT_COMPLETION_DETAILS_REASONING, usage.reasoning],
    [SC.LLM_TOKEN_COUNT_COMPLETION_DETAILS_AUDIO, usage.audioOutput],
  ];
  for (const [key, value] of details) {
    const count = num(value);
    if (count !== undefined) attrs[key] = count;
  }
}

/** Nano-dollars in, dollars (floats) out. */
function costAttributes(attrs: Attributes, cost: TraceCall["cost"]): void {
  if (!isObject(cost)) return;
  const dollars = (nano: unknown): number | undefined => {
    const n = num(nano);
    return n === undefined ? undefined : n / 1e9;
  };
  const set = (key: string, value: number | undefined): void => {
    if (value !== undefined) attrs[key] = value;
  };
  const input = num(cost.input);
  const cacheRead = num(cost.cacheRead);
  const cacheWrite = num(cost.cacheWrite);
  const output = num(cost.output);
  const reasoning = num(cost.reasoning);
  set(SC.LLM_COST_TOTAL, dollars(cost.total));
  if (input !== undefined || cacheRead !== undefined || cacheWrite !== undefined) {
    set(SC.LLM_COST_PROMPT, ((input ?? 0) + (cacheRead ?? 0) + (cacheWrite ?? 0)) / 1e9);
  }
  if (output !== undefined || reasoning !== undefined) set(SC.LLM_COST_COMPLETION, ((output ?? 0) + (reasoning ?? 0)) / 1e9);
  set(SC.LLM_COST_INPUT, dollars(input));
  set(SC.LLM_COST_PROMPT_DETAILS_CACHE_READ, dollars(cacheRead));
  set(SC.LLM_COST_PROMPT_DETAILS_CACHE_WRITE, dollars(cacheWrite));
  set(SC.LLM_COST_OUTPUT, dollars(output));
  set(SC.LLM_COST_COMPLETION_DETAILS_REASONING, dollars(reasoning));
}
