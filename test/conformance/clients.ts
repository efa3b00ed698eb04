/**
 * The two client sides of the conformance suite: each feature as the official OpenAI SDK and the
 * official Anthropic SDK ask for it, and what each must get back, buffered and streamed.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { expect } from "bun:test";
import {
  ANSWER_TEXT,
  CACHE,
  ERROR_MESSAGES,
  HISTORY,
  IMAGE_QUESTION,
  JSON_ANSWER,
  JSON_SCHEMA,
  LENGTH_MAX_TOKENS,
  ODD_ARGUMENTS,
  ODD_TOOLS,
  LENGTH_TEXT,
  PARALLEL_CALLS,
  PNG_BASE64,
  PRIOR_CALL,
  QUESTION,
  REASONING_TEXT,
  SYSTEM_PROMPT,
  THINKING_BUDGET,
  TOOL_CALL,
  TOOL_RESULT,
  TOOL_RESULT_ANSWER,
  TOOLS,
  USAGE,
  type ConformanceUpstream,
  type Feature,
} from "./contract.ts";

/** What a feature's run needs: the model to call, the provider's facts, the upstream (for aborts). */
export interface RunContext {
  model: string;
  upstream: ConformanceUpstream;
  /** The provider reports cache writes (Anthropic, Bedrock) besides reads. */
  cacheWrites: boolean;
  /** The provider never returns reasoning text (OpenAI's Chat Completions); only the answer is checked. */
  hiddenReasoning: boolean;
}

type Chat = OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;
type ChatMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;

const openAITools = TOOLS.map((tool) => ({ type: "function" as const, function: { name: tool.name, description: tool.description, parameters: tool.parameters as unknown as Record<string, unknown> } }));
const anthropicTools = TOOLS.map((tool) => ({ name: tool.name, description: tool.description, input_schema: tool.parameters as unknown as Anthropic.Tool.InputSchema }));
const openAIOddTools = ODD_TOOLS.map((tool) => ({ type: "function" as const, function: { name: tool.name, description: tool.description, parameters: tool.parameters as unknown as Record<string, unknown> } }));
const anthropicOddTools = ODD_TOOLS.map((tool) => ({ name: tool.name, description: tool.description, input_schema: tool.parameters as unknown as Anthropic.Tool.InputSchema }));

/** The OpenAI-format request of a feature (without model and stream). */
function openAIRequest(feature: Feature): Omit<Chat, "model"> {
  const ask: ChatMessage[] = [{ role: "user", content: QUESTION }];
  switch (feature) {
    case "system":
      return { messages: [{ role: "system", content: SYSTEM_PROMPT }, ...ask] };
    case "multi-turn":
      return { messages: [{ role: "user", content: HISTORY[0] }, { role: "assistant", content: HISTORY[1] }, ...ask] };
    case "image":
      return { messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: `data:image/png;base64,${PNG_BASE64}` } }, { type: "text", text: IMAGE_QUESTION }] }] };
    case "tool-call":
    case "parallel-tools":
      return { messages: ask, tools: openAITools };
    case "tool-names":
      return { messages: ask, tools: openAIOddTools };
    case "tool-result":
      return {
        messages: [
          ...ask,
          { role: "assistant", content: null, tool_calls: [{ id: PRIOR_CALL.id, type: "function", function: { name: PRIOR_CALL.name, arguments: JSON.stringify(PRIOR_CALL.arguments) } }] },
          { role: "tool", tool_call_id: PRIOR_CALL.id, content: TOOL_RESULT },
        ],
        tools: openAITools,
      };
    case "json-schema":
      return { messages: ask, response_format: { type: "json_schema", json_schema: { name: "city_info", schema: JSON_SCHEMA as unknown as Record<string, unknown>, strict: true } } };
    case "reasoning":
      return { messages: ask, reasoning_effort: "low" };
    case "finish-length":
      return { messages: ask, max_tokens: LENGTH_MAX_TOKENS };
    default:
      return { messages: ask };
  }
}

/** The Anthropic-format request of a feature (without model and stream). */
function anthropicRequest(feature: Feature): Omit<Anthropic.MessageCreateParamsNonStreaming, "model"> {
  const ask: Anthropic.MessageParam[] = [{ role: "user", content: QUESTION }];
  const base = { max_tokens: 256 };
  switch (feature) {
    case "system":
      return { ...base, system: SYSTEM_PROMPT, messages: ask };
    case "multi-turn":
      return { ...base, messages: [{ role: "user", content: HISTORY[0] }, { role: "assistant", content: HISTORY[1] }, ...ask] };
    case "image":
      return { ...base, messages: [{ role: "user", content: [{ type: "image", source: { type: "base64", media_type: "image/png", data: PNG_BASE64 } }, { type: "text", text: IMAGE_QUESTION }] }] };
    case "tool-call":
    case "parallel-tools":
      return { ...base, messages: ask, tools: anthropicTools };
    case "tool-names":
      return { ...base, messages: ask, tools: anthropicOddTools };
    case "tool-result":
      return {
        ...base,
        tools: anthropicTools,
        messages: [
          ...ask,
          { role: "assistant", content: [{ type: "tool_use", id: PRIOR_CALL.id, name: PRIOR_CALL.name, input: PRIOR_CALL.arguments }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: PRIOR_CALL.id, content: TOOL_RESULT }] },
        ],
      };
    case "json-schema":
      return { ...base, messages: ask, output_config: { format: { type: "json_schema", schema: JSON_SCHEMA as unknown as Record<string, unknown> } } };
    case "reasoning":
      return { max_tokens: 4096, messages: ask, thinking: { type: "enabled", budget_tokens: THINKING_BUDGET } };
    case "finish-length":
      return { max_tokens: LENGTH_MAX_TOKENS, messages: ask };
    default:
      return { ...base, messages: ask };
  }
}

/** A normalised answer, whichever SDK and mode produced it. */
export interface Outcome {
  text: string;
  reasoning: string;
  calls: { name: string; arguments: unknown }[];
  finish: string | null | undefined;
  usage?: { input: number; output: number; cacheRead: number; cacheWrite: number };
}

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

async function openAIOutcome(client: OpenAI, model: string, feature: Feature, stream: boolean): Promise<Outcome> {
  const request = { ...openAIRequest(feature), model };
  if (!stream) {
    const answer = await client.chat.completions.create(request);
    const choice = answer.choices[0];
    const message = choice?.message as (OpenAI.Chat.Completions.ChatCompletionMessage & { reasoning_content?: string }) | undefined;
    const calls = (message?.tool_calls ?? []).flatMap((call) => (call.type === "function" ? [{ name: call.function.name, arguments: parse(call.function.arguments) }] : []));
    const usage = answer.usage;
    return {
      text: message?.content ?? "",
      reasoning: message?.reasoning_content ?? "",
      calls,
      finish: choice?.finish_reason,
      ...(usage ? { usage: { input: usage.prompt_tokens, output: usage.completion_tokens, cacheRead: usage.prompt_tokens_details?.cached_tokens ?? 0, cacheWrite: 0 } } : {}),
    };
  }
  const chunks = await client.chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } });
  let text = "";
  let reasoning = "";
  let finish: string | null | undefined;
  let usage: Outcome["usage"];
  const calls = new Map<number, { name: string; args: string }>();
  for await (const chunk of chunks) {
    if (chunk.usage) usage = { input: chunk.usage.prompt_tokens, output: chunk.usage.completion_tokens, cacheRead: chunk.usage.prompt_tokens_details?.cached_tokens ?? 0, cacheWrite: 0 };
    const choice = chunk.choices[0];
    if (!choice) continue;
    const delta = choice.delta as typeof choice.delta & { reasoning_content?: string };
    text += delta.content ?? "";
    reasoning += delta.reasoning_content ?? "";
    for (const call of delta.tool_calls ?? []) {
      const entry = calls.get(call.index) ?? { name: "", args: "" };
      entry.name += call.function?.name ?? "";
      entry.args += call.function?.arguments ?? "";
      calls.set(call.index, entry);
    }
    if (choice.finish_reason) finish = choice.finish_reason;
  }
  return { text, reasoning, calls: [...calls.values()].map((call) => ({ name: call.name, arguments: parse(call.args) })), finish, ...(usage ? { usage } : {}) };
}

async function anthropicOutcome(client: Anthropic, model: string, feature: Feature, stream: boolean): Promise<Outcome> {
  const request = { ...anthropicRequest(feature), model };
  const message = stream ? await client.messages.stream(request).finalMessage() : await client.messages.create(request);
  let text = "";
  let reasoning = "";
  const calls: Outcome["calls"] = [];
  for (const block of message.content) {
    if (block.type === "text") text += block.text;
    else if (block.type === "thinking") reasoning += block.thinking;
    else if (block.type === "tool_use") calls.push({ name: block.name, arguments: block.input });
  }
  const u = message.usage;
  const cacheRead = u.cache_read_input_tokens ?? 0;
  const cacheWrite = u.cache_creation_input_tokens ?? 0;
  return { text, reasoning, calls, finish: message.stop_reason, usage: { input: u.input_tokens + cacheRead + cacheWrite, output: u.output_tokens, cacheRead, cacheWrite } };
}

/** The finish reasons of each dialect, by meaning. */
const FINISH = {
  openai: { stop: "stop", tools: "tool_calls", length: "length" },
  anthropic: { stop: "end_turn", tools: "tool_use", length: "max_tokens" },
} as const;

export type Dialect = keyof typeof FINISH;

/** Runs one feature in one dialect and mode and checks what came back. */
export async function runFeature(dialect: Dialect, clients: { openai: OpenAI; anthropic: Anthropic }, feature: Feature, stream: boolean, context: RunContext): Promise<void> {
  const finish = FINISH[dialect];
  const outcome = dialect === "openai" ? await openAIOutcome(clients.openai, context.model, feature, stream) : await anthropicOutcome(clients.anthropic, context.model, feature, stream);
  const expectUsage = (cacheRead = 0, cacheWrite = 0) => {
    expect(outcome.usage).toBeDefined();
    expect(outcome.usage?.input).toBe(USAGE.input);
    expect(outcome.usage?.output).toBe(USAGE.output);
    expect(outcome.usage?.cacheRead).toBe(cacheRead);
    // The OpenAI format has no cache-write count; Anthropic's reports it where the provider does.
    if (dialect === "anthropic") expect(outcome.usage?.cacheWrite).toBe(cacheWrite);
  };
  switch (feature) {
    case "text":
    case "system":
    case "multi-turn":
    case "image":
      expect(outcome.text).toBe(ANSWER_TEXT);
      expect(outcome.finish).toBe(finish.stop);
      expectUsage();
      return;
    case "tool-call":
      expect(outcome.calls).toEqual([{ name: TOOL_CALL.name, arguments: TOOL_CALL.arguments }]);
      expect(outcome.finish).toBe(finish.tools);
      return;
    case "parallel-tools":
      expect(outcome.calls).toEqual(PARALLEL_CALLS.map((call) => ({ name: call.name, arguments: call.arguments })));
      expect(outcome.finish).toBe(finish.tools);
      return;
    case "tool-names":
      expect(outcome.calls).toEqual(ODD_TOOLS.map((tool) => ({ name: tool.name, arguments: ODD_ARGUMENTS })));
      expect(outcome.finish).toBe(finish.tools);
      return;
    case "tool-result":
      expect(outcome.text).toBe(TOOL_RESULT_ANSWER);
      expect(outcome.finish).toBe(finish.stop);
      return;
    case "json-schema":
      expect(JSON.parse(outcome.text)).toEqual(JSON_ANSWER);
      expect(outcome.calls).toEqual([]);
      return;
    case "reasoning":
      expect(outcome.text).toBe(ANSWER_TEXT);
      if (!context.hiddenReasoning) expect(outcome.reasoning).toBe(REASONING_TEXT);
      return;
    case "usage-cache":
      expect(outcome.text).toBe(ANSWER_TEXT);
      expectUsage(CACHE.read, context.cacheWrites ? CACHE.write : 0);
      return;
    case "finish-length":
      expect(outcome.text).toBe(LENGTH_TEXT);
      expect(outcome.finish).toBe(finish.length);
      return;
    default:
      throw new Error(`runFeature does not run ${feature}`);
  }
}

/** The status and message a client must see for an upstream error feature. */
export const ERROR_STATUS = { "error-400": 400, "error-401": 401, "error-429": 429, "error-500": 500 } as const;

/** Calls a failing feature and checks the client got the upstream's status and message. */
export async function runError(dialect: Dialect, clients: { openai: OpenAI; anthropic: Anthropic }, feature: keyof typeof ERROR_STATUS, stream: boolean, model: string): Promise<void> {
  let caught: unknown;
  try {
    if (dialect === "openai") {
      const request = { ...openAIRequest(feature), model };
      if (stream) for await (const _ of await clients.openai.chat.completions.create({ ...request, stream: true })) void _;
      else await clients.openai.chat.completions.create(request);
    } else {
      const request = { ...anthropicRequest(feature), model };
      if (stream) await clients.anthropic.messages.stream(request).finalMessage();
      else await clients.anthropic.messages.create(request);
    }
  } catch (error) {
    caught = error;
  }
  const status = (caught as { status?: number } | undefined)?.status;
  expect(status).toBe(ERROR_STATUS[feature]);
  expect(String((caught as Error).message)).toContain(ERROR_MESSAGES[feature]);
}

/** Streams, reads the first text, goes away, and waits for the upstream to notice. */
export async function runAbort(dialect: Dialect, clients: { openai: OpenAI; anthropic: Anthropic }, context: RunContext): Promise<void> {
  const before = context.upstream.aborted();
  const controller = new AbortController();
  let first = "";
  try {
    if (dialect === "openai") {
      const chunks = await clients.openai.chat.completions.create({ ...openAIRequest("abort"), model: context.model, stream: true }, { signal: controller.signal });
      for await (const chunk of chunks) {
        first += chunk.choices[0]?.delta.content ?? "";
        if (first) break;
      }
    } else {
      const events = await clients.anthropic.messages.create({ ...anthropicRequest("abort"), model: context.model, stream: true }, { signal: controller.signal });
      for await (const event of events) {
        if (event.type === "content_block_delta" && event.delta.type === "text_delta") first += event.delta.text;
        if (first) break;
      }
    }
  } finally {
    controller.abort();
  }
  expect(first.length).toBeGreaterThan(0);
  const deadline = Date.now() + 3_000;
  while (context.upstream.aborted() === before && Date.now() < deadline) await Bun.sleep(20);
  expect(context.upstream.aborted()).toBe(before + 1);
}
