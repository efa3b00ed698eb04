import type { ChatRequest, Reasoning, ResponseFormat, ToolChoice, ToolDefinition } from "../../canonical/chat.ts";
import { effortOfBudget } from "../../canonical/reasoning.ts";
import { planRequestToolNames, type ToolNamePlan } from "../tool-names.ts";
import type { PassthroughOptions, Target, TranslationState, UpstreamRequest } from "../types.ts";
import type { OpenAIWireProfile } from "./profile.ts";
import { GATEWAY_ONLY_FIELDS, joinUrl, openAIHeaders, openAIPath, unsupportedParamError } from "./request.ts";
import { OPENAI_TOOL_NAMES } from "./tool-names.ts";
import { toOpenAIMessages } from "./translate-messages.ts";

/** Body fields this translator writes from the canonical model; an `extra` entry may never overwrite them. */
const OWNED_FIELDS: ReadonlySet<string> = new Set([
  "model",
  "messages",
  "stream",
  "stream_options",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "max_tokens",
  "max_completion_tokens",
  ...GATEWAY_ONLY_FIELDS,
]);

/**
 * `reasoning_effort`, Chat Completions' only reasoning control: the effort asked for, or the one a
 * thinking budget (Anthropic clients) stands for, so a small budget never runs at the model's default effort.
 */
function toOpenAIEffort(reasoning: Reasoning | undefined): Reasoning["effort"] {
  if (!reasoning || reasoning.enabled === false) return undefined;
  if (reasoning.effort) return reasoning.effort;
  const budget = reasoning.budgetTokens;
  if (budget === undefined) return undefined;
  return effortOfBudget(budget);
}

/** A canonical tool as an OpenAI function tool, under its upstream name. */
function toOpenAITool(tool: ToolDefinition, name: string): Record<string, unknown> {
  const fn: Record<string, unknown> = { name };
  if (tool.description !== undefined) fn.description = tool.description;
  fn.parameters = tool.parameters;
  if (tool.strict !== undefined) fn.strict = tool.strict;
  return { type: "function", function: fn };
}

/** The canonical model's tool choice as OpenAI's `tool_choice`. */
function toOpenAIToolChoice(choice: ToolChoice, toolName: (name: string) => string): unknown {
  return choice.type === "tool" ? { type: "function", function: { name: toolName(choice.name) } } : choice.type;
}

/** The canonical model's response format as OpenAI's `response_format`. */
function toOpenAIResponseFormat(format: ResponseFormat): Record<string, unknown> {
  if (format.type !== "json_schema") return { type: format.type };
  const schema: Record<string, unknown> = { name: format.name, schema: format.schema };
  if (format.strict !== undefined) schema.strict = format.strict;
  if (format.description !== undefined) schema.description = format.description;
  return { type: "json_schema", json_schema: schema };
}

/**
 * A canonical request as an OpenAI chat completions body (an object, before serialisation). Tool names
 * go up as `names` plans them (OpenAI's rule). Applies the profile's quirks last: unsupported
 * parameters are dropped (`dropParams`) or refused, then renamed.
 */
export function toOpenAIRequest(
  request: ChatRequest,
  profile: OpenAIWireProfile,
  options: PassthroughOptions,
  names: ToolNamePlan = planRequestToolNames(request, OPENAI_TOOL_NAMES),
): Record<string, unknown> {
  const toolName = (name: string) => names.forward.get(name) ?? name;
  const body: Record<string, unknown> = { model: request.model, messages: toOpenAIMessages(request.messages, toolName) };
  const tools = [...(request.tools ?? []).map((tool) => toOpenAITool(tool, toolName(tool.name))), ...(request.hostedTools ?? [])];
  if (tools.length > 0) {
    body.tools = tools;
    // OpenAI answers 400 to tool_choice or parallel_tool_calls without tools, so both ride with them.
    if (request.toolChoice) body.tool_choice = toOpenAIToolChoice(request.toolChoice, toolName);
    if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  }
  if (request.maxTokens !== undefined) body.max_completion_tokens = request.maxTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  // Not an OpenAI parameter, but vLLM, Together, OpenRouter and others take it under this name.
  if (request.topK !== undefined) body.top_k = request.topK;
  if (request.stop !== undefined && request.stop.length > 0) body.stop = request.stop;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.user !== undefined) body.user = request.user;
  if (request.responseFormat) body.response_format = toOpenAIResponseFormat(request.responseFormat);
  const effort = toOpenAIEffort(request.reasoning);
  if (effort) body.reasoning_effort = effort;
  if (request.stream) {
    body.stream = true;
    // The gateway always wants usage; the client's encoder shows it only if the client asked.
    if (profile.streamUsage !== false) body.stream_options = { include_usage: true };
  }
  for (const [key, value] of Object.entries(request.extra)) {
    if (value !== undefined && !OWNED_FIELDS.has(key) && !(key in body)) body[key] = value;
  }
  for (const param of profile.unsupportedParams ?? []) {
    if (!(param in body)) continue;
    if (!options.dropParams) throw unsupportedParamError(profile, param);
    delete body[param];
  }
  for (const [from, to] of Object.entries(profile.renameParams ?? {})) {
    if (!(from in body)) continue;
    body[to] = body[from];
    delete body[from];
  }
  return body;
}

/**
 * Builds the upstream chat completions call for a canonical request. Its state is the reverse map of
 * the tool names it rewrote (undefined when none was), which is all an OpenAI answer needs.
 */
export function buildOpenAIChatRequest(
  profile: OpenAIWireProfile,
  request: ChatRequest,
  target: Target,
  options: PassthroughOptions,
): { upstream: UpstreamRequest; state: TranslationState } {
  const names = planRequestToolNames(request, OPENAI_TOOL_NAMES);
  const body = toOpenAIRequest({ ...request, model: target.model }, profile, options, names);
  return {
    upstream: { url: joinUrl(target.apiBase, openAIPath("chat")), headers: openAIHeaders(target, request.stream), body: JSON.stringify(body) },
    state: names.reverse.size > 0 ? names.reverse : undefined,
  };
}
