import { describe, expect, test } from "bun:test";
import OpenAI, { APIError } from "openai";
import { Stream } from "openai/core/streaming";
import { fromOpenAIChatRequest } from "../../../src/dialects/openai/decode.ts";
import { toOpenAIChatCompletion } from "../../../src/dialects/openai/encode.ts";
import { openAIDialect } from "../../../src/dialects/openai/index.ts";
import { openAIStreamEncoder } from "../../../src/dialects/openai/stream-encoder.ts";
import { openai } from "../../../src/providers/openai/index.ts";
import { toOpenAIRequest } from "../../../src/providers/openai/translate-request.ts";
import type { ChatRequest, ChatResult, StreamPart } from "../../../src/canonical/chat.ts";
import { GatewayError } from "../../../src/canonical/errors.ts";
import { SseParser } from "../../../src/streams/sse-parser.ts";

const CREATED = 1_750_000_000;

/** Why a call threw (failing the test if it did not throw a GatewayError). */
function gatewayErrorOf(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error("expected a GatewayError");
}

/** A representative OpenAI body: every field the spec holds, in the shape the translator writes back. */
const richBody = {
  model: "claude-sonnet",
  messages: [
    { role: "system", content: "You are terse." },
    { role: "user", name: "ann", content: [{ type: "text", text: "What is in this image, and the weather?" }, { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=", detail: "high" } }, { type: "image_url", image_url: { url: "https://img.test/cat.jpg" } }, { type: "file", file: { filename: "spec.pdf", file_data: "data:application/pdf;base64,JVBERi0x" } }] },
    {
      role: "assistant",
      content: null,
      tool_calls: [
        { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Bern"}' } },
        { id: "call_2", type: "function", function: { name: "get_weather", arguments: '{"city": Zur' } },
      ],
    },
    { role: "tool", tool_call_id: "call_1", content: "12°C, rain" },
    { role: "tool", tool_call_id: "call_2", content: "invalid arguments" },
    { role: "assistant", content: "Rainy in Bern." },
    { role: "user", content: "Thanks. And tomorrow?" },
  ],
  tools: [{ type: "function", function: { name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] }, strict: true } }],
  tool_choice: { type: "function", function: { name: "get_weather" } },
  parallel_tool_calls: false,
  max_completion_tokens: 512,
  temperature: 0.3,
  top_p: 0.8,
  stop: ["<END>"],
  seed: 42,
  user: "user-7",
  response_format: { type: "json_schema", json_schema: { name: "forecast", schema: { type: "object" }, strict: true } },
  reasoning_effort: "medium",
  stream: true,
  stream_options: { include_usage: true },
  presence_penalty: 0.1,
  logit_bias: { "1234": -5 },
};

describe("decode", () => {
  test("a rich request", () => {
    const request = fromOpenAIChatRequest({
      ...richBody,
      messages: [{ role: "developer", content: [{ type: "text", text: "Rule 1." }, { type: "text", text: "Rule 2." }] }, ...richBody.messages.slice(1)],
      max_tokens: 100,
      stop: "<END>",
      n: 1,
      frequency_penalty: null,
      api_key: "sk-redirect",
      tools: [...richBody.tools, { type: "custom", custom: { name: "grammar" } }],
    });
    const expected: ChatRequest = {
      model: "claude-sonnet",
      messages: [
        { role: "system", content: [{ type: "text", text: "Rule 1." }, { type: "text", text: "Rule 2." }] },
        {
          role: "user",
          name: "ann",
          content: [
            { type: "text", text: "What is in this image, and the weather?" },
            { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBORw0KGgo=" }, detail: "high" },
            { type: "image", source: { kind: "url", url: "https://img.test/cat.jpg" } },
            { type: "document", source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0x" }, title: "spec.pdf" },
          ],
        },
        {
          role: "assistant",
          content: [
            { type: "tool-call", id: "call_1", name: "get_weather", arguments: '{"city":"Bern"}' },
            // Malformed arguments stay the text the client sent.
            { type: "tool-call", id: "call_2", name: "get_weather", arguments: '{"city": Zur' },
          ],
        },
        {
          role: "tool",
          content: [
            { type: "tool-result", toolCallId: "call_1", content: "12°C, rain" },
            { type: "tool-result", toolCallId: "call_2", content: "invalid arguments" },
          ],
        },
        { role: "assistant", content: [{ type: "text", text: "Rainy in Bern." }] },
        { role: "user", content: [{ type: "text", text: "Thanks. And tomorrow?" }] },
      ],
      tools: [{ name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] }, strict: true }],
      hostedTools: [{ type: "custom", custom: { name: "grammar" } }],
      toolChoice: { type: "tool", name: "get_weather" },
      parallelToolCalls: false,
      maxTokens: 512,
      temperature: 0.3,
      topP: 0.8,
      stop: ["<END>"],
      seed: 42,
      user: "user-7",
      responseFormat: { type: "json_schema", name: "forecast", schema: { type: "object" }, strict: true },
      reasoning: { effort: "medium" },
      stream: true,
      streamUsage: true,
      extra: { presence_penalty: 0.1, logit_bias: { "1234": -5 } },
    };
    expect(request).toEqual(expected);
  });

  test("max_tokens when max_completion_tokens is absent; reasoning_effort none; no usage unless streaming", () => {
    const request = fromOpenAIChatRequest({ model: "m", messages: [{ role: "user", content: "x" }], max_tokens: 64, reasoning_effort: "none", stream_options: { include_usage: true } });
    expect(request.maxTokens).toBe(64);
    expect(request.reasoning).toEqual({ enabled: false });
    expect(request.stream).toBe(false);
    expect(request.streamUsage).toBeUndefined();
  });

  test("what the spec cannot hold is a 400 naming the field", () => {
    const base = { model: "m", messages: [{ role: "user", content: "x" }] };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, n: 2 }, "n"],
      [{ ...base, reasoning_effort: "extreme" }, "reasoning_effort"],
      [{ ...base, tool_choice: { type: "allowed_tools" } }, "tool_choice"],
      [{ ...base, messages: [{ role: "user", content: [{ type: "file", file: { file_id: "file-abc" } }] }] }, "messages[0].content[0].file"],
      [{ ...base, messages: [{ role: "user", content: [{ type: "input_audio", input_audio: { data: "", format: "wav" } }] }] }, "messages[0].content[0].type"],
      [{ ...base, messages: [{ role: "function", name: "f", content: "x" }] }, "messages[0].role"],
      [{ ...base, messages: [{ role: "tool", content: "x" }] }, "messages[0].tool_call_id"],
    ];
    for (const [body, param] of cases) {
      const error = gatewayErrorOf(() => fromOpenAIChatRequest(body));
      expect(error.code).toBe("caller.invalid_request");
      expect(error.details.param).toBe(param);
    }
  });

  test("round trip: decode then build for OpenAI gives the same body", () => {
    const request = fromOpenAIChatRequest(structuredClone(richBody));
    const rebuilt = toOpenAIRequest(request, { id: "openai", label: "OpenAI" }, { dropParams: false });
    expect(rebuilt).toEqual(richBody);
    const { upstream } = openai.chat.buildRequest(request, { model: "claude-sonnet", apiBase: "https://api.openai.com/v1" }, { dropParams: false });
    expect(JSON.parse(upstream.body)).toEqual(richBody);
  });
});

const richResult: ChatResult = {
  id: "msg_01",
  model: "claude-sonnet-4-5-20250929",
  content: [
    { type: "thinking", text: "Two cities.", signature: "sig" },
    { type: "text", text: "Checking " },
    { type: "text", text: "both." },
    { type: "tool-call", id: "toolu_1", name: "get_weather", arguments: '{"city":"Bern"}' },
    { type: "tool-call", id: "toolu_2", name: "get_weather", arguments: '{"city":"Zürich"}' },
  ],
  finishReason: "tool-calls",
  usage: { input: 120, output: 30, cacheRead: 100, cacheWrite: 10 },
};

describe("encode", () => {
  test("text + thinking + two tool calls", () => {
    expect(toOpenAIChatCompletion(richResult, "my-claude", CREATED)).toEqual({
      id: "msg_01",
      object: "chat.completion",
      created: CREATED,
      model: "my-claude",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: "Checking both.",
            refusal: null,
            reasoning_content: "Two cities.",
            thinking_blocks: [{ type: "thinking", thinking: "Two cities.", signature: "sig" }],
            tool_calls: [
              { id: "toolu_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Bern"}' } },
              { id: "toolu_2", type: "function", function: { name: "get_weather", arguments: '{"city":"Zürich"}' } },
            ],
          },
          logprobs: null,
          finish_reason: "tool_calls",
        },
      ],
      usage: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150, prompt_tokens_details: { cached_tokens: 100, cache_creation_tokens: 10 } },
    });
  });

  test("only tool calls -> content null; nothing -> empty string; finish reasons", () => {
    const onlyCalls = toOpenAIChatCompletion({ ...richResult, content: richResult.content.slice(3) }, "m", CREATED) as { choices: { message: Record<string, unknown> }[] };
    expect(onlyCalls.choices[0]!.message.content).toBeNull();
    expect("reasoning_content" in onlyCalls.choices[0]!.message).toBe(false);
    const reasons: [ChatResult["finishReason"], string][] = [["stop", "stop"], ["length", "length"], ["tool-calls", "tool_calls"], ["content-filter", "content_filter"], ["error", "stop"], ["other", "stop"]];
    for (const [spec, wire] of reasons) {
      const body = toOpenAIChatCompletion({ id: "x", model: "m", content: [], finishReason: spec }, "m", CREATED) as { choices: { message: { content: unknown }; finish_reason: string }[]; usage?: unknown };
      expect(body.choices[0]!.finish_reason).toBe(wire);
      expect(body.choices[0]!.message.content).toBe("");
      expect(body.usage).toBeUndefined();
    }
  });

  test("the dialect stamps created from the clock and uses the client's model name", () => {
    const before = Math.floor(Date.now() / 1000);
    const body = openAIDialect.encodeResult(richResult, fromOpenAIChatRequest({ model: "my-claude", messages: [{ role: "user", content: "x" }] }), "my-claude") as { created: number; model: string };
    expect(body.model).toBe("my-claude");
    expect(body.created).toBeGreaterThanOrEqual(before);
    expect(body.created).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });
});

const streamRequest = (streamUsage: boolean): ChatRequest => ({ model: "m", messages: [], stream: true, ...(streamUsage ? { streamUsage } : {}), extra: {} });

/** The JSON payloads of `data:` frames (`[DONE]` kept as a string). */
function payloads(frames: string): unknown[] {
  const parser = new SseParser();
  return [...parser.push(frames), ...parser.end()].map((event) => (event.data === "[DONE]" ? "[DONE]" : JSON.parse(event.data)));
}

function encodeAll(parts: StreamPart[], streamUsage: boolean): string {
  const encoder = openAIStreamEncoder(streamRequest(streamUsage), "my-model", CREATED);
  return parts.map((part) => encoder.part(part)).join("") + encoder.end();
}

const textParts: StreamPart[] = [
  { type: "start", id: "msg_1", model: "upstream-model" },
  { type: "reasoning-delta", text: "hmm" },
  { type: "reasoning-signature", signature: "sig" },
  { type: "text-delta", text: "Hel" },
  { type: "text-delta", text: "lo" },
  { type: "usage", usage: { input: 10, output: 2 } },
  { type: "finish", finishReason: "stop" },
];

const parallelParts: StreamPart[] = [
  { type: "start", id: "msg_2", model: "upstream-model" },
  { type: "text-delta", text: "Looking." },
  // Anthropic-style content-block indexes: sparse, starting after the text block.
  { type: "tool-call-start", index: 1, id: "toolu_a", name: "get_weather" },
  { type: "tool-call-delta", index: 1, argumentsDelta: '{"city":' },
  { type: "tool-call-start", index: 3, id: "toolu_b", name: "get_time" },
  { type: "tool-call-delta", index: 1, argumentsDelta: '"Bern"}' },
  { type: "tool-call-delta", index: 3, argumentsDelta: '{"tz":"CET"}' },
  { type: "finish", finishReason: "tool-calls" },
  { type: "usage", usage: { input: 50, output: 20, cacheRead: 40 } },
];

describe("stream encoder", () => {
  const base = { id: "msg_1", object: "chat.completion.chunk", created: CREATED, model: "my-model" };
  const choice = (delta: unknown, finish_reason: string | null = null) => ({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason }] });

  test("text: role chunk first, reasoning_content and content deltas, finish; no usage chunk unless asked", () => {
    expect(payloads(encodeAll(textParts, false))).toEqual([
      choice({ role: "assistant", content: "", refusal: null }),
      choice({ reasoning_content: "hmm" }),
      // The signed block, whole, so the client can send it back next turn.
      choice({ thinking_blocks: [{ type: "thinking", thinking: "hmm", signature: "sig" }] }),
      choice({ content: "Hel" }),
      choice({ content: "lo" }),
      choice({}, "stop"),
      "[DONE]",
    ]);
  });

  test("usage chunk (choices: []) when the client asked, after the finish; usage: null on the others", () => {
    const frames = payloads(encodeAll(textParts, true));
    expect(frames).toHaveLength(8);
    expect(frames[0]).toEqual({ ...choice({ role: "assistant", content: "", refusal: null }), usage: null });
    expect(frames[5]).toEqual({ ...choice({}, "stop"), usage: null });
    expect(frames[6]).toEqual({ ...base, choices: [], usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 } });
    expect(frames[7]).toBe("[DONE]");
  });

  test("parallel tool calls with sparse spec indexes get dense OpenAI indexes", () => {
    const chunk = (delta: unknown, finish_reason: string | null = null) => ({ ...choice(delta, finish_reason), id: "msg_2" });
    expect(payloads(encodeAll(parallelParts, false))).toEqual([
      chunk({ role: "assistant", content: "", refusal: null }),
      chunk({ content: "Looking." }),
      chunk({ tool_calls: [{ index: 0, id: "toolu_a", type: "function", function: { name: "get_weather", arguments: "" } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      chunk({ tool_calls: [{ index: 1, id: "toolu_b", type: "function", function: { name: "get_time", arguments: "" } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"Bern"}' } }] }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: '{"tz":"CET"}' } }] }),
      chunk({}, "tool_calls"),
      "[DONE]",
    ]);
  });

  test("end() without a finish part still sends a finish chunk before [DONE]", () => {
    const encoder = openAIStreamEncoder(streamRequest(false), "my-model", CREATED);
    const frames = payloads(encoder.part({ type: "start", id: "msg_1", model: "x" }) + encoder.part({ type: "text-delta", text: "cut" }) + encoder.end());
    expect(frames.slice(-2)).toEqual([choice({}, "stop"), "[DONE]"]);
  });

  test("fail: an OpenAI error frame then [DONE], and nothing after", () => {
    const encoder = openAIStreamEncoder(streamRequest(false), "my-model", CREATED);
    encoder.part({ type: "start", id: "msg_1", model: "x" });
    const error = new GatewayError("provider.overloaded", "Anthropic reported an error: Overloaded");
    expect(encoder.fail(error)).toBe(`data: ${JSON.stringify({ error: { message: "Anthropic reported an error: Overloaded", type: "api_error", param: null, code: "overloaded" } })}\n\ndata: [DONE]\n\n`);
    expect(encoder.part({ type: "text-delta", text: "late" })).toBe("");
    expect(encoder.end()).toBe("");
  });
});

describe("stream encoder output through the official openai SDK", () => {
  /** An SDK client whose "network" answers with the given SSE text. */
  const clientAnswering = (frames: string) =>
    new OpenAI({ apiKey: "x", baseURL: "http://gateway.test/v1", maxRetries: 0, fetch: async () => new Response(frames, { headers: { "content-type": "text/event-stream" } }) });

  test("ChatCompletionStream accumulates the text and both tool calls (dense indexes), usage", async () => {
    const stream = clientAnswering(encodeAll(parallelParts, true)).chat.completions.stream({ model: "my-model", messages: [{ role: "user", content: "x" }], stream_options: { include_usage: true } });
    const completion = await stream.finalChatCompletion();
    expect(completion.id).toBe("msg_2");
    expect(completion.model).toBe("my-model");
    expect(completion.choices[0]!.finish_reason).toBe("tool_calls");
    expect(completion.choices[0]!.message.content).toBe("Looking.");
    expect(completion.choices[0]!.message.tool_calls).toEqual([
      { id: "toolu_a", type: "function", function: { name: "get_weather", arguments: '{"city":"Bern"}' } },
      { id: "toolu_b", type: "function", function: { name: "get_time", arguments: '{"tz":"CET"}' } },
    ] as never);
    expect(completion.usage).toEqual({ prompt_tokens: 50, completion_tokens: 20, total_tokens: 70, prompt_tokens_details: { cached_tokens: 40 } });
  });

  test("text stream: final content, reasoning_content carried along", async () => {
    const stream = clientAnswering(encodeAll(textParts, false)).chat.completions.stream({ model: "my-model", messages: [{ role: "user", content: "x" }] });
    const completion = await stream.finalChatCompletion();
    expect(completion.choices[0]!.message.content).toBe("Hello");
    expect(completion.choices[0]!.finish_reason).toBe("stop");
    expect((completion.choices[0]!.message as unknown as { reasoning_content?: string }).reasoning_content).toBe("hmm");
  });

  test("Stream.fromSSEResponse raises the fail frame as an APIError", async () => {
    const encoder = openAIStreamEncoder(streamRequest(false), "my-model", CREATED);
    const frames = encoder.part(textParts[0]!) + encoder.part(textParts[3]!) + encoder.fail(new GatewayError("provider.rate_limited", "Upstream rate limit", { param: "model" }));
    const stream = Stream.fromSSEResponse<{ choices: { delta: { content?: string } }[] }>(new Response(frames), new AbortController());
    const seen: string[] = [];
    let caught: unknown;
    try {
      for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? "");
    } catch (error) {
      caught = error;
    }
    expect(seen).toEqual(["", "Hel"]);
    expect(caught).toBeInstanceOf(APIError);
    expect((caught as APIError).message).toContain("Upstream rate limit");
    expect((caught as APIError).code).toBe("rate_limited");
  });
});

describe("thinking_blocks round trip (signed reasoning sent back on the next turn)", () => {
  test("an assistant message's thinking_blocks decode to signed thinking parts before its text and tool calls", () => {
    const request = fromOpenAIChatRequest({
      model: "m",
      messages: [
        { role: "user", content: "weather?" },
        {
          role: "assistant",
          content: null,
          reasoning_content: "ignored when blocks are present",
          thinking_blocks: [{ type: "thinking", thinking: "Need a tool.", signature: "sig-1" }, { type: "redacted_thinking", data: "enc" }],
          tool_calls: [{ id: "toolu_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Bern"}' } }],
        },
        { role: "tool", tool_call_id: "toolu_1", content: "sunny" },
      ],
    });
    expect(request.messages[1]?.content).toEqual([
      { type: "thinking", text: "Need a tool.", signature: "sig-1" },
      { type: "redacted-thinking", data: "enc" },
      { type: "tool-call", id: "toolu_1", name: "get_weather", arguments: '{"city":"Bern"}' },
    ]);
  });

  test("malformed thinking_blocks are a 400 naming the block", () => {
    expect(() => fromOpenAIChatRequest({ model: "m", messages: [{ role: "assistant", content: "x", thinking_blocks: [{ type: "thinking" }] }] })).toThrow(
      expect.objectContaining({ code: "caller.invalid_request", details: expect.objectContaining({ param: "messages[0].thinking_blocks[0]" }) }),
    );
  });
});

describe("Anthropic features sent in OpenAI format (as LiteLLM accepts them)", () => {
  test("cache_control on parts, messages, tool messages and tools reaches the spec", () => {
    const request = fromOpenAIChatRequest({
      model: "m",
      messages: [
        { role: "system", content: [{ type: "text", text: "long rules", cache_control: { type: "ephemeral", ttl: "1h" } }] },
        { role: "user", content: "question", cache_control: { type: "ephemeral" } },
        { role: "assistant", content: null, tool_calls: [{ id: "t1", type: "function", function: { name: "f", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "t1", content: "big result", cache_control: { type: "ephemeral" } },
      ],
      tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } }, cache_control: { type: "ephemeral" } }],
    });
    expect(request.messages[0]?.content[0]).toEqual({ type: "text", text: "long rules", cacheControl: { type: "ephemeral", ttl: "1h" } });
    expect(request.messages[1]?.content[0]).toEqual({ type: "text", text: "question", cacheControl: { type: "ephemeral" } });
    expect(request.messages[3]?.content[0]).toMatchObject({ type: "tool-result", toolCallId: "t1", cacheControl: { type: "ephemeral" } });
    expect(request.tools?.[0]?.cacheControl).toEqual({ type: "ephemeral" });
  });

  test("a thinking object sets an explicit budget (over reasoning_effort); a bad one is a 400 naming it", () => {
    expect(fromOpenAIChatRequest({ model: "m", messages: [{ role: "user", content: "x" }], reasoning_effort: "low", thinking: { type: "enabled", budget_tokens: 3000 } }).reasoning).toEqual({
      effort: "low",
      enabled: true,
      budgetTokens: 3000,
    });
    expect(fromOpenAIChatRequest({ model: "m", messages: [{ role: "user", content: "x" }], thinking: { type: "disabled" } }).reasoning).toEqual({ enabled: false });
    expect(() => fromOpenAIChatRequest({ model: "m", messages: [{ role: "user", content: "x" }], thinking: { type: "enabled" } })).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ param: "thinking" }) }),
    );
    expect(fromOpenAIChatRequest({ model: "m", messages: [{ role: "user", content: "x" }], thinking: { type: "disabled" } }).extra).toEqual({});
  });
});
