import type { ChatRequest } from "../../canonical/chat.ts";
import { joinUrl } from "../openai/request.ts";
import type { PassthroughOptions, Target, UpstreamRequest } from "../types.ts";
import { isBlankText } from "./empty-text.ts";
import { toAnthropicMessages } from "./messages.ts";
import { refuseParam, toAnthropicExtras } from "./params.ts";
import type { AnthropicState } from "./state.ts";
import { planTokens } from "./thinking.ts";
import { planRequestToolNames } from "../tool-names.ts";
import { ANTHROPIC_TOOL_NAMES } from "./tool-names.ts";
import { planTools } from "./tools.ts";
import type { AnthropicRequestBody } from "./wire.ts";

/** The Messages API version the translators speak. */
export const ANTHROPIC_VERSION = "2023-06-01";

/** Headers for a Messages API call: key, version, betas (client list, then deployment's), JSON. */
export function anthropicHeaders(target: Target, stream: boolean, version: string, betas: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = { "content-type": "application/json", accept: stream ? "text/event-stream" : "application/json", "anthropic-version": version };
  if (target.apiKey) headers["x-api-key"] = target.apiKey;
  const configured = target.headers ?? {};
  const all = [...betas];
  for (const [name, value] of Object.entries(configured)) {
    if (name.toLowerCase() === "anthropic-beta") all.push(...value.split(","));
    else headers[name.toLowerCase()] = value;
  }
  const unique = [...new Set(all.map((beta) => beta.trim()).filter((beta) => beta !== ""))];
  if (unique.length > 0) headers["anthropic-beta"] = unique.join(",");
  return headers;
}

/** `providerOptions.anthropic.beta`: a list of beta names, or one comma-separated string. */
function requestedBetas(request: ChatRequest): string[] {
  const beta = request.providerOptions?.anthropic?.beta;
  if (typeof beta === "string") return beta.split(",");
  if (Array.isArray(beta)) return beta.filter((item): item is string => typeof item === "string");
  return [];
}

/** Builds the Anthropic Messages API call for a canonical request, and the state its answer is read with. */
export function buildAnthropicRequest(request: ChatRequest, target: Target, options: PassthroughOptions): { upstream: UpstreamRequest; state: AnthropicState } {
  const names = planRequestToolNames(request, ANTHROPIC_TOOL_NAMES);
  let plan = planTokens(request, target.model);
  if (request.responseFormat && request.responseFormat.type !== "text" && plan.budget !== undefined) {
    // A forced tool call and extended thinking exclude each other on Anthropic; the format is the contract the client parses.
    const param = request.reasoning?.budgetTokens !== undefined ? "thinking" : "reasoning_effort";
    refuseParam(options, param, "cannot combine extended thinking with response_format (it is answered through a forced tool call)");
    plan = { maxTokens: plan.maxTokens };
  }
  const thinking = plan.budget !== undefined;

  const { system, messages } = toAnthropicMessages(request.messages, (name) => names.forward.get(name) ?? name);
  const body: AnthropicRequestBody = { model: target.model, max_tokens: plan.maxTokens, messages };
  if (system.length > 0) body.system = system;
  const tools = planTools(request, names, thinking, options);
  if (tools.tools.length > 0) body.tools = tools.tools;
  if (tools.choice) body.tool_choice = tools.choice;
  if (plan.budget !== undefined) body.thinking = { type: "enabled", budget_tokens: plan.budget };
  const state: AnthropicState = tools.jsonTool === undefined ? { reverseNames: names.reverse } : { reverseNames: names.reverse, jsonTool: tools.jsonTool };

  if (request.temperature !== undefined) {
    // With thinking on Anthropic takes only temperature 1, its default: sending nothing is the same.
    if (!thinking) body.temperature = request.temperature;
    else if (request.temperature !== 1) refuseParam(options, "temperature", "does not accept temperature while extended thinking is on");
  }
  if (request.topP !== undefined) {
    if (!thinking || request.topP >= 0.95) body.top_p = request.topP;
    else refuseParam(options, "top_p", "accepts top_p only between 0.95 and 1 while extended thinking is on");
  }
  if (request.topK !== undefined) {
    if (!thinking) body.top_k = request.topK;
    else refuseParam(options, "top_k", "does not accept top_k while extended thinking is on");
  }
  if (request.stop && request.stop.length > 0) {
    const stops = request.stop.filter((stop) => !isBlankText(stop));
    if (stops.length < request.stop.length) refuseParam(options, "stop", "rejects stop sequences that are empty or only whitespace");
    if (stops.length > 0) body.stop_sequences = stops;
  }
  if (request.seed !== undefined) refuseParam(options, "seed", "does not support the parameter 'seed'");

  const extras = toAnthropicExtras(request.extra, options);
  const userId = request.user ?? extras.userId;
  if (userId !== undefined) body.metadata = { user_id: userId };
  for (const [name, value] of Object.entries(extras.fields)) if (!(name in body)) body[name] = value;
  if (request.stream) body.stream = true;

  return {
    upstream: {
      url: joinUrl(target.apiBase, "/messages"),
      headers: anthropicHeaders(target, request.stream, ANTHROPIC_VERSION, requestedBetas(request)),
      body: JSON.stringify(body),
    },
    state,
  };
}
