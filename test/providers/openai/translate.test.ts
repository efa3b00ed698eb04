import { describe, expect, test } from "bun:test";
import { PRESETS } from "../../../src/providers/compat/presets.ts";
import { openai, openAIWireProvider } from "../../../src/providers/openai/index.ts";
import type { OpenAIWireProfile } from "../../../src/providers/openai/profile.ts";
import { buildOpenAIChatRequest, toOpenAIRequest } from "../../../src/providers/openai/translate-request.ts";
import { fromOpenAIChatCompletion } from "../../../src/providers/openai/translate-response.ts";
import { openAIStreamReader } from "../../../src/providers/openai/translate-stream.ts";
import type { Target } from "../../../src/providers/types.ts";
import type { ChatRequest, StreamPart } from "../../../src/canonical/chat.ts";
import { GatewayError } from "../../../src/canonical/errors.ts";
import { SseParser, type SseEvent } from "../../../src/streams/sse-parser.ts";
import { seeded, splitRandomly, splitsAtEveryByte } from "../../support/rechunk.ts";

const profile: OpenAIWireProfile = { id: "acme", label: "Acme" };
const target: Target = { model: "gpt-4o", apiBase: "https://api.acme.test/v1/", apiKey: "sk-test-key", headers: { "x-team": "blue" } };
const keep = { dropParams: false };

const request = (fields: Partial<ChatRequest> = {}): ChatRequest => ({
  model: "gpt-4o",
  messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
  stream: false,
  extra: {},
  ...fields,
});

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

describe("buildRequest", () => {
  test("URL, headers and a streaming body with usage requested", () => {
    const { upstream, state } = buildOpenAIChatRequest(profile, request({ model: "client-name", stream: true }), target, keep);
    expect(state).toBeUndefined();
    expect(upstream.url).toBe("https://api.acme.test/v1/chat/completions");
    expect(upstream.headers).toEqual({ "content-type": "application/json", accept: "text/event-stream", authorization: "Bearer sk-test-key", "x-team": "blue" });
    expect(JSON.parse(upstream.body)).toEqual({
      model: "gpt-4o",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  test("reasoning_effort: the effort asked for, or the one a thinking budget stands for; none when thinking is off", () => {
    const effort = (reasoning: ChatRequest["reasoning"]) => toOpenAIRequest(request({ reasoning }), profile, keep).reasoning_effort;
    expect(effort({ effort: "high", budgetTokens: 1024 })).toBe("high");
    expect(effort({ enabled: true, budgetTokens: 1024 })).toBe("low");
    expect(effort({ enabled: true, budgetTokens: 4096 })).toBe("medium");
    expect(effort({ enabled: true, budgetTokens: 20_000 })).toBe("high");
    expect(effort({ enabled: true })).toBeUndefined();
    expect(effort({ enabled: false, budgetTokens: 2048 })).toBeUndefined();
  });

  test("a profile with streamUsage: false gets no stream_options", () => {
    const body = toOpenAIRequest(request({ stream: true }), { ...profile, streamUsage: false }, keep);
    expect(body.stream).toBe(true);
    expect("stream_options" in body).toBe(false);
  });

  test("every parameter by its OpenAI name; extras forwarded, gateway-only fields and owned fields never", () => {
    const body = toOpenAIRequest(
      request({
        tools: [{ name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } } }, strict: true, cacheControl: { type: "ephemeral" } }],
        hostedTools: [{ type: "custom", custom: { name: "grammar" } }],
        toolChoice: { type: "tool", name: "get_weather" },
        parallelToolCalls: false,
        maxTokens: 256,
        temperature: 0.2,
        topP: 0.9,
        topK: 40,
        stop: ["END"],
        seed: 7,
        user: "u-1",
        responseFormat: { type: "json_schema", name: "answer", schema: { type: "object" }, strict: true },
        reasoning: { effort: "low", budgetTokens: 1000 },
        extra: { presence_penalty: 0.5, logit_bias: { "50256": -100 }, api_key: "sk-other", stream: true, model: "evil" },
      }),
      profile,
      keep,
    );
    expect(body).toEqual({
      model: "gpt-4o",
      messages: [{ role: "user", content: "hi" }],
      tools: [
        { type: "function", function: { name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } } }, strict: true } },
        { type: "custom", custom: { name: "grammar" } },
      ],
      tool_choice: { type: "function", function: { name: "get_weather" } },
      parallel_tool_calls: false,
      max_completion_tokens: 256,
      temperature: 0.2,
      top_p: 0.9,
      top_k: 40,
      stop: ["END"],
      seed: 7,
      user: "u-1",
      response_format: { type: "json_schema", json_schema: { name: "answer", schema: { type: "object" }, strict: true } },
      reasoning_effort: "low",
      presence_penalty: 0.5,
      logit_bias: { "50256": -100 },
    });
  });

  test("tool_choice and parallel_tool_calls are left out when there are no tools (OpenAI answers 400)", () => {
    const body = toOpenAIRequest(request({ toolChoice: { type: "none" }, parallelToolCalls: true }), profile, keep);
    expect(Object.keys(body).sort()).toEqual(["messages", "model"]);
    expect(toOpenAIRequest(request({ tools: [{ name: "f", parameters: {} }], toolChoice: { type: "required" } }), profile, keep).tool_choice).toBe("required");
  });

  test("unsupported params: a 400 naming the param, or dropped with dropParams", () => {
    const groq = PRESETS.find((p) => p.id === "groq")!;
    const withBias = request({ extra: { logit_bias: { "1": 2 }, frequency_penalty: 1 } });
    const error = gatewayErrorOf(() => toOpenAIRequest(withBias, groq, keep));
    expect(error.code).toBe("caller.invalid_request");
    expect(error.details.param).toBe("logit_bias");
    expect(error.message).toBe("Groq does not support the parameter 'logit_bias'. Remove it, or set drop_params: true to have the gateway drop it.");
    expect(toOpenAIRequest(withBias, groq, { dropParams: true })).toEqual({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }], frequency_penalty: 1 });
  });

  test("unsupported spec-derived params too (Perplexity takes no tools); renamed params (max tokens)", () => {
    const perplexity = PRESETS.find((p) => p.id === "perplexity")!;
    const error = gatewayErrorOf(() => toOpenAIRequest(request({ tools: [{ name: "f", parameters: {} }] }), perplexity, keep));
    expect(error.details.param).toBe("tools");
    const body = toOpenAIRequest(request({ maxTokens: 99, stream: true }), perplexity, keep);
    expect(body).toEqual({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }], max_tokens: 99, stream: true });
  });

  test("images (URL, base64 with detail), a PDF and a text document", () => {
    const body = toOpenAIRequest(
      request({
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "compare", cacheControl: { type: "ephemeral" } },
              { type: "image", source: { kind: "url", url: "https://img.test/a.png" } },
              { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBORw0KGgo=" }, detail: "low" },
              { type: "document", source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0x" }, title: "report.pdf" },
              { type: "document", source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0y" } },
              { type: "document", source: { kind: "base64", mediaType: "text/plain", data: btoa("plain notes") }, title: "notes" },
            ],
          },
        ],
      }),
      profile,
      keep,
    );
    expect(body.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "compare" },
          { type: "image_url", image_url: { url: "https://img.test/a.png" } },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=", detail: "low" } },
          { type: "file", file: { filename: "report.pdf", file_data: "data:application/pdf;base64,JVBERi0x" } },
          { type: "file", file: { filename: "document.pdf", file_data: "data:application/pdf;base64,JVBERi0y" } },
          { type: "text", text: "notes\n\nplain notes" },
        ],
      },
    ]);
  });

  test("a document by URL is refused (Chat Completions takes inline files only)", () => {
    const error = gatewayErrorOf(() =>
      toOpenAIRequest(request({ messages: [{ role: "user", content: [{ type: "document", source: { kind: "url", url: "https://x.test/a.pdf" } }] }] }), profile, keep),
    );
    expect(error.code).toBe("caller.invalid_request");
  });

  test("system, assistant tool calls (thinking dropped), tool results (one message each; images after them in a user message)", () => {
    const body = toOpenAIRequest(
      request({
        messages: [
          { role: "system", content: [{ type: "text", text: "Be brief." }, { type: "text", text: "Use tools.", cacheControl: { type: "ephemeral" } }] },
          { role: "user", content: [{ type: "text", text: "Weather and a photo?" }], name: "ann" },
          {
            role: "assistant",
            content: [
              { type: "thinking", text: "need two tools", signature: "sig" },
              { type: "redacted-thinking", data: "opaque" },
              { type: "text", text: "Checking." },
              { type: "tool-call", id: "call_1", name: "get_weather", arguments: '{"city":"Bern"}' },
              { type: "tool-call", id: "call_2", name: "get_photo", arguments: "{}" },
            ],
          },
          {
            role: "tool",
            content: [
              { type: "tool-result", toolCallId: "call_1", content: "12°C" },
              {
                type: "tool-result",
                toolCallId: "call_2",
                content: [
                  { type: "text", text: "a photo" },
                  { type: "image", source: { kind: "base64", mediaType: "image/jpeg", data: "/9j/" } },
                ],
              },
            ],
          },
          { role: "assistant", content: [{ type: "tool-call", id: "call_3", name: "get_photo", arguments: "{}" }] },
          { role: "tool", content: [{ type: "tool-result", toolCallId: "call_3", content: [{ type: "image", source: { kind: "url", url: "https://img.test/b.png" } }], isError: false }] },
        ],
      }),
      profile,
      keep,
    );
    expect(body.messages).toEqual([
      { role: "system", content: "Be brief.\n\nUse tools." },
      { role: "user", content: "Weather and a photo?", name: "ann" },
      {
        role: "assistant",
        content: "Checking.",
        tool_calls: [
          { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Bern"}' } },
          { id: "call_2", type: "function", function: { name: "get_photo", arguments: "{}" } },
        ],
      },
      { role: "tool", tool_call_id: "call_1", content: "12°C" },
      { role: "tool", tool_call_id: "call_2", content: "a photo" },
      {
        role: "user",
        content: [
          { type: "text", text: "Images returned by tool call call_2:" },
          { type: "image_url", image_url: { url: "data:image/jpeg;base64,/9j/" } },
        ],
      },
      { role: "assistant", content: null, tool_calls: [{ id: "call_3", type: "function", function: { name: "get_photo", arguments: "{}" } }] },
      { role: "tool", tool_call_id: "call_3", content: "The result is in the images that follow." },
      { role: "user", content: [{ type: "text", text: "Images returned by tool call call_3:" }, { type: "image_url", image_url: { url: "https://img.test/b.png" } }] },
    ]);
  });

  test("tool results a decoder left inside a user turn go out as tool messages before the user's text", () => {
    const body = toOpenAIRequest(
      request({
        messages: [{ role: "user", content: [{ type: "tool-result", toolCallId: "call_9", content: "done" }, { type: "text", text: "next?" }] }],
      }),
      profile,
      keep,
    );
    expect(body.messages).toEqual([
      { role: "tool", tool_call_id: "call_9", content: "done" },
      { role: "user", content: "next?" },
    ]);
  });

  test("every OpenAI-wire provider has the translators", () => {
    for (const provider of [openai, ...PRESETS.map(openAIWireProvider)]) {
      expect(typeof provider.chat.buildRequest).toBe("function");
      expect(typeof provider.chat.parseResponse).toBe("function");
      expect(typeof provider.chat.streamReader).toBe("function");
    }
  });
});

describe("parseResponse", () => {
  test("text, reasoning_content and tool calls, usage with cache and reasoning tokens", () => {
    const body = JSON.stringify({
      id: "chatcmpl-1",
      object: "chat.completion",
      created: 1732000000,
      model: "deepseek-reasoner",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: "Let me look.",
            reasoning_content: "The user wants weather.",
            tool_calls: [
              { id: "call_a", type: "function", function: { name: "get_weather", arguments: '{"city":"Bern"}' } },
              { id: "call_b", type: "function", function: { name: "get_time", arguments: "{}" } },
            ],
          },
          finish_reason: "tool_calls",
        },
      ],
      usage: { prompt_tokens: 100, completion_tokens: 40, total_tokens: 140, prompt_tokens_details: { cached_tokens: 64 }, completion_tokens_details: { reasoning_tokens: 12 } },
    });
    expect(openai.chat.parseResponse(body, undefined)).toEqual({
      id: "chatcmpl-1",
      model: "deepseek-reasoner",
      content: [
        { type: "thinking", text: "The user wants weather." },
        { type: "text", text: "Let me look." },
        { type: "tool-call", id: "call_a", name: "get_weather", arguments: '{"city":"Bern"}' },
        { type: "tool-call", id: "call_b", name: "get_time", arguments: "{}" },
      ],
      finishReason: "tool-calls",
      usage: { input: 100, output: 40, cacheRead: 64, reasoning: 12 },
    });
  });

  test("`reasoning` (OpenRouter), refusal as text, finish reasons", () => {
    const completion = (message: unknown, finish_reason: unknown) => JSON.stringify({ id: "x", model: "m", choices: [{ index: 0, message, finish_reason }] });
    const result = fromOpenAIChatCompletion("Acme", completion({ role: "assistant", content: null, reasoning: "thinking…", refusal: "I can't help with that." }, "content_filter"));
    expect(result.content).toEqual([
      { type: "thinking", text: "thinking…" },
      { type: "text", text: "I can't help with that." },
    ]);
    expect(result.finishReason).toBe("content-filter");
    expect(result.usage).toBeUndefined();
    const reasons: [unknown, string][] = [["stop", "stop"], ["length", "length"], ["tool_calls", "tool-calls"], ["function_call", "tool-calls"], [null, "other"], ["eos", "other"]];
    for (const [wire, spec] of reasons) expect(fromOpenAIChatCompletion("Acme", completion({ content: "a" }, wire)).finishReason).toBe(spec as never);
    // "stop" after tool calls is read as tool-calls.
    expect(fromOpenAIChatCompletion("Acme", completion({ content: null, tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: { a: 1 } } }] }, "stop"))).toMatchObject({
      finishReason: "tool-calls",
      content: [{ type: "tool-call", id: "c", name: "f", arguments: '{"a":1}' }],
    });
  });

  test("a body that is not a chat completion is provider.bad_response", () => {
    for (const body of ["not json", "[]", JSON.stringify({ object: "list", data: [] }), JSON.stringify({ choices: [{ index: 0 }] })]) {
      const error = gatewayErrorOf(() => fromOpenAIChatCompletion("Acme", body));
      expect(error.code).toBe("provider.bad_response");
      expect(error.status).toBe(502);
    }
  });

  test("an error body sent with 200 is mapped like an HTTP error", () => {
    const error = gatewayErrorOf(() => fromOpenAIChatCompletion("Acme", JSON.stringify({ error: { message: "Rate limit reached", code: 429 } })));
    expect(error.code).toBe("provider.rate_limited");
    expect(error.message).toBe("Acme reported an error: Rate limit reached");
  });
});

const fixture = await Bun.file(new URL("../../fixtures/openai/chat-stream-tool.sse", import.meta.url)).bytes();

describe("streamReader", () => {
  function readAll(pieces: Uint8Array[]): StreamPart[] {
    const parser = new SseParser();
    const reader = openAIStreamReader("OpenAI");
    const parts: StreamPart[] = [];
    for (const piece of pieces) for (const event of parser.push(piece)) parts.push(...reader.event(event));
    for (const event of parser.end()) parts.push(...reader.event(event));
    parts.push(...reader.end());
    return parts;
  }

  const expected: StreamPart[] = [
    { type: "start", id: "chatcmpl-AbC123", model: "gpt-4o-2024-08-06" },
    { type: "tool-call-start", index: 0, id: "call_x9Yz", name: "get_weather" },
    { type: "tool-call-delta", index: 0, argumentsDelta: '{"city":' },
    { type: "tool-call-delta", index: 0, argumentsDelta: '"Zürich 東京 🌧"}' },
    { type: "finish", finishReason: "tool-calls" },
    { type: "usage", usage: { input: 82, output: 17, cacheRead: 64 } },
  ];

  test("the recorded stream whole", () => {
    expect(readAll([fixture])).toEqual(expected);
  });

  test("the same parts at every two-piece split", () => {
    for (const pieces of splitsAtEveryByte(fixture)) expect(readAll(pieces)).toEqual(expected);
  });

  test("the same parts at random boundaries (200 seeds)", () => {
    for (let seed = 1; seed <= 200; seed++) expect(readAll(splitRandomly(fixture, seeded(seed)))).toEqual(expected);
  });

  const chunk = (delta: unknown, finish_reason: unknown = null, extra: Record<string, unknown> = {}): SseEvent => ({
    data: JSON.stringify({ id: "c1", object: "chat.completion.chunk", model: "m", choices: [{ index: 0, delta, finish_reason }], ...extra }),
  });

  test("text, reasoning, parallel tool calls kept apart; usage before finish kept in upstream order", () => {
    const reader = openAIStreamReader("Acme");
    const events = [
      chunk({ role: "assistant", content: "" }),
      chunk({ reasoning_content: "hmm" }),
      chunk({ reasoning: " ok" }),
      chunk({ content: "Hi" }),
      chunk({ tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "a", arguments: "" } }, { index: 1, id: "call_b", type: "function", function: { name: "b", arguments: "{" } }] }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: "}" } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: "{}" } }] }),
      { data: JSON.stringify({ id: "c1", choices: [], usage: { prompt_tokens: 5, completion_tokens: 6 } }) },
      chunk({}, "tool_calls"),
      { data: "[DONE]" },
    ];
    const parts = events.flatMap((event) => reader.event(event));
    parts.push(...reader.end());
    expect(parts).toEqual([
      { type: "start", id: "c1", model: "m" },
      { type: "reasoning-delta", text: "hmm" },
      { type: "reasoning-delta", text: " ok" },
      { type: "text-delta", text: "Hi" },
      { type: "tool-call-start", index: 0, id: "call_a", name: "a" },
      { type: "tool-call-start", index: 1, id: "call_b", name: "b" },
      { type: "tool-call-delta", index: 1, argumentsDelta: "{" },
      { type: "tool-call-delta", index: 1, argumentsDelta: "}" },
      { type: "tool-call-delta", index: 0, argumentsDelta: "{}" },
      { type: "usage", usage: { input: 5, output: 6 } },
      { type: "finish", finishReason: "tool-calls" },
    ]);
  });

  test("parallel calls all sent at index 0 with new ids still get their own indexes", () => {
    const reader = openAIStreamReader("Acme");
    const parts = [
      chunk({ tool_calls: [{ index: 0, id: "call_a", function: { name: "a", arguments: '{"x":1}' } }] }),
      chunk({ tool_calls: [{ index: 0, id: "call_b", function: { name: "b", arguments: '{"y":2}' } }] }),
      chunk({}, "stop"),
    ].flatMap((event) => reader.event(event));
    expect(parts.slice(1)).toEqual([
      { type: "tool-call-start", index: 0, id: "call_a", name: "a" },
      { type: "tool-call-delta", index: 0, argumentsDelta: '{"x":1}' },
      { type: "tool-call-start", index: 1, id: "call_b", name: "b" },
      { type: "tool-call-delta", index: 1, argumentsDelta: '{"y":2}' },
      { type: "finish", finishReason: "tool-calls" },
    ]);
  });

  test("end() owes a finish of 'other' when the upstream never sent one, and nothing after a finish", () => {
    const cut = openAIStreamReader("Acme");
    cut.event(chunk({ content: "partial" }));
    expect(cut.end()).toEqual([{ type: "finish", finishReason: "other" }]);
    const done = openAIStreamReader("Acme");
    done.event(chunk({ content: "all" }, "stop"));
    expect(done.end()).toEqual([]);
  });

  test("an in-band error chunk throws a provider error", () => {
    const reader = openAIStreamReader("OpenAI");
    reader.event(chunk({ content: "Hel" }));
    const error = gatewayErrorOf(() => reader.event({ data: JSON.stringify({ error: { message: "The server had an error while processing your request.", type: "server_error", param: null, code: null } }) }));
    expect(error.code).toBe("provider.server_error");
    expect(error.status).toBe(500);
    expect(error.message).toBe("OpenAI reported an error: The server had an error while processing your request.");
    const limited = gatewayErrorOf(() => openAIStreamReader("Acme").event({ data: JSON.stringify({ error: { message: "Too many tokens: sk-proj-abcdefghijk12345", type: "tokens", code: "rate_limit_exceeded" } }) }));
    expect(limited.code).toBe("provider.rate_limited");
    expect(limited.message).toBe("Acme reported an error: Too many tokens: [redacted]");
    const overflow = gatewayErrorOf(() => openAIStreamReader("Acme").event({ event: "error", data: JSON.stringify({ message: "prompt is too long", type: "invalid_request_error" }) }));
    expect(overflow.code).toBe("provider.context_length_exceeded");
  });

  test("a stream event that is not JSON is provider.bad_response", () => {
    expect(gatewayErrorOf(() => openAIStreamReader("Acme").event({ data: "{oops" })).code).toBe("provider.bad_response");
  });
});
