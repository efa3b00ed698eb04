import { describe, expect, test } from "bun:test";
import { anthropicDialect } from "../../../src/dialects/anthropic/index.ts";
import type { ChatRequest } from "../../../src/canonical/chat.ts";
import { GatewayError } from "../../../src/canonical/errors.ts";

const decode = (body: Record<string, unknown>): ChatRequest => anthropicDialect.decodeChat({ model: "claude-sonnet-4-5", max_tokens: 1024, ...body });

function rejection(body: Record<string, unknown>): GatewayError {
  try {
    decode(body);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error("expected a GatewayError");
}

const weatherSchema = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };

describe("Anthropic request -> spec", () => {
  test("a rich agent turn: system blocks with cache_control, image, document, thinking, parallel tool use, mixed tool_result + text", () => {
    const body = {
      model: "claude-sonnet-4-5",
      max_tokens: 4096,
      stream: true,
      system: [
        { type: "text", text: "You are terse." },
        { type: "text", text: "Long reference manual...", cache_control: { type: "ephemeral", ttl: "1h" } },
      ],
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is in the picture, and the weather in Paris and Oslo?" },
            { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" }, cache_control: { type: "ephemeral" } },
            { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
            { type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBERi0x" }, title: "Report" },
            { type: "document", source: { type: "text", media_type: "text/plain", data: "héllo" } },
          ],
        },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "Two lookups.", signature: "EqQBCkYIBxgC" },
            { type: "redacted_thinking", data: "EmwKAhgB" },
            { type: "text", text: "A cat. Checking the weather." },
            { type: "tool_use", id: "toolu_01", name: "get_weather", input: { city: "Paris" } },
            { type: "tool_use", id: "toolu_02", name: "get_weather", input: { city: "Oslo" } },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "toolu_01", content: "18°C" },
            {
              type: "tool_result",
              tool_use_id: "toolu_02",
              is_error: true,
              content: [
                { type: "text", text: "station offline" },
                { type: "image", source: { type: "url", url: "https://example.com/err.png" } },
              ],
              cache_control: { type: "ephemeral" },
            },
            { type: "text", text: "Retry Oslo once." },
          ],
        },
        { role: "assistant", content: "Retrying." },
      ],
    };
    expect(anthropicDialect.decodeChat(body)).toEqual({
      model: "claude-sonnet-4-5",
      stream: true,
      maxTokens: 4096,
      extra: {},
      messages: [
        {
          role: "system",
          content: [
            { type: "text", text: "You are terse." },
            { type: "text", text: "Long reference manual...", cacheControl: { type: "ephemeral", ttl: "1h" } },
          ],
        },
        {
          role: "user",
          content: [
            { type: "text", text: "What is in the picture, and the weather in Paris and Oslo?" },
            { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBORw0KGgo=" }, cacheControl: { type: "ephemeral" } },
            { type: "image", source: { kind: "url", url: "https://example.com/cat.jpg" } },
            { type: "document", source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0x" }, title: "Report" },
            { type: "document", source: { kind: "base64", mediaType: "text/plain", data: "aMOpbGxv" } },
          ],
        },
        {
          role: "assistant",
          content: [
            { type: "thinking", text: "Two lookups.", signature: "EqQBCkYIBxgC" },
            { type: "redacted-thinking", data: "EmwKAhgB" },
            { type: "text", text: "A cat. Checking the weather." },
            { type: "tool-call", id: "toolu_01", name: "get_weather", arguments: '{"city":"Paris"}' },
            { type: "tool-call", id: "toolu_02", name: "get_weather", arguments: '{"city":"Oslo"}' },
          ],
        },
        {
          role: "tool",
          content: [
            { type: "tool-result", toolCallId: "toolu_01", content: "18°C" },
            {
              type: "tool-result",
              toolCallId: "toolu_02",
              isError: true,
              content: [
                { type: "text", text: "station offline" },
                { type: "image", source: { kind: "url", url: "https://example.com/err.png" } },
              ],
              cacheControl: { type: "ephemeral" },
            },
          ],
        },
        { role: "user", content: [{ type: "text", text: "Retry Oslo once." }] },
        { role: "assistant", content: [{ type: "text", text: "Retrying." }] },
      ],
    } satisfies ChatRequest);
  });

  test("tool results keep their place among user blocks: text, result, text -> user, tool, user", () => {
    const request = decode({
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "before" },
            { type: "tool_result", tool_use_id: "toolu_9" },
            { type: "text", text: "after" },
          ],
        },
      ],
    });
    expect(request.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "before" }] },
      { role: "tool", content: [{ type: "tool-result", toolCallId: "toolu_9", content: "" }] },
      { role: "user", content: [{ type: "text", text: "after" }] },
    ]);
  });

  test("string system and content; sampling, stop sequences, user id, thinking budget, unknown fields -> extra", () => {
    const request = decode({
      system: "Be brief.",
      messages: [{ role: "user", content: "hi" }],
      temperature: 0.2,
      top_p: 0.9,
      top_k: 40,
      stop_sequences: ["###", "END"],
      metadata: { user_id: "user-7" },
      thinking: { type: "enabled", budget_tokens: 2048 },
      service_tier: "auto",
      container: "container_1",
      mcp_servers: [{ type: "url", url: "https://mcp.example.com", name: "x" }],
    });
    expect(request).toEqual({
      model: "claude-sonnet-4-5",
      stream: false,
      maxTokens: 1024,
      temperature: 0.2,
      topP: 0.9,
      topK: 40,
      stop: ["###", "END"],
      user: "user-7",
      reasoning: { enabled: true, budgetTokens: 2048 },
      messages: [
        { role: "system", content: [{ type: "text", text: "Be brief." }] },
        { role: "user", content: [{ type: "text", text: "hi" }] },
      ],
      extra: { service_tier: "auto", container: "container_1", mcp_servers: [{ type: "url", url: "https://mcp.example.com", name: "x" }] },
    });
  });

  test("thinking disabled / adaptive, and a thinking type this gateway does not know is forwarded in extra", () => {
    const messages = [{ role: "user", content: "hi" }];
    expect(decode({ messages, thinking: { type: "disabled" } }).reasoning).toEqual({ enabled: false });
    expect(decode({ messages, thinking: { type: "adaptive" } }).reasoning).toEqual({ enabled: true });
    const future = decode({ messages, thinking: { type: "interleaved-2030", depth: 3 } });
    expect(future.reasoning).toBeUndefined();
    expect(future.extra).toEqual({ thinking: { type: "interleaved-2030", depth: 3 } });
  });

  test("custom tools become definitions (schema, description, strict, cache_control); hosted tools pass through untouched", () => {
    const webSearch = { type: "web_search_20250305", name: "web_search", max_uses: 5, allowed_domains: ["example.com"] };
    const request = decode({
      messages: [{ role: "user", content: "hi" }],
      tools: [
        { name: "get_weather", description: "Weather by city", input_schema: weatherSchema, cache_control: { type: "ephemeral" } },
        webSearch,
        { type: "custom", name: "lookup", input_schema: { type: "object" }, strict: true },
      ],
    });
    expect(request.tools).toEqual([
      { name: "get_weather", description: "Weather by city", parameters: weatherSchema, cacheControl: { type: "ephemeral" } },
      { name: "lookup", parameters: { type: "object" }, strict: true },
    ]);
    expect(request.hostedTools).toEqual([webSearch]);
    expect(request.hostedTools![0]).toBe(webSearch);
  });

  test("tool_choice: auto, any, tool (with disable_parallel_tool_use), none", () => {
    const messages = [{ role: "user", content: "hi" }];
    expect(decode({ messages, tool_choice: { type: "auto" } })).toMatchObject({ toolChoice: { type: "auto" } });
    expect(decode({ messages, tool_choice: { type: "any" } }).toolChoice).toEqual({ type: "required" });
    expect(decode({ messages, tool_choice: { type: "none" } }).toolChoice).toEqual({ type: "none" });
    const named = decode({ messages, tool_choice: { type: "tool", name: "get_weather", disable_parallel_tool_use: true } });
    expect(named.toolChoice).toEqual({ type: "tool", name: "get_weather" });
    expect(named.parallelToolCalls).toBe(false);
    expect(decode({ messages, tool_choice: { type: "auto" } }).parallelToolCalls).toBeUndefined();
  });

  test("the count_tokens body (no max_tokens, no stream) decodes too", () => {
    const request = anthropicDialect.decodeChat({ model: "m", messages: [{ role: "user", content: "count me" }] });
    expect(request).toEqual({ model: "m", stream: false, extra: {}, messages: [{ role: "user", content: [{ type: "text", text: "count me" }] }] });
  });

  test("what the spec cannot hold is a 400 naming the field", () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ messages: [{ role: "user", content: [{ type: "image", source: { type: "file", file_id: "file_1" } }] }] }, "messages.0.content.0.source.type"],
      [{ messages: [{ role: "user", content: "x" }, { role: "assistant", content: [{ type: "server_tool_use", id: "srvtoolu_1", name: "web_search", input: {} }] }] }, "messages.1.content.0"],
      [{ messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: [{ type: "search_result" }] }] }] }, "messages.0.content.0.content.0"],
      [{ messages: [{ role: "user", content: [{ type: "text" }] }] }, "messages.0.content.0.text"],
      [{ messages: [{ role: "user", content: [{ type: "text", text: "x", cache_control: { type: "persistent" } }] }] }, "messages.0.content.0.cache_control.type"],
      [{ messages: [{ role: "user", content: "x" }], tools: [{ name: "f" }] }, "tools.0.input_schema"],
      [{ messages: [{ role: "user", content: "x" }], tools: [{ input_schema: {} }] }, "tools.0.name"],
      [{ messages: [{ role: "user", content: "x" }], tools: [{ type: "web_search_20250305" }] }, "tools.0.name"],
      [{ messages: [{ role: "user", content: "x" }], tool_choice: { type: "tool" } }, "tool_choice.name"],
    ];
    for (const [body, param] of cases) {
      const error = rejection(body);
      expect(error.code).toBe("caller.invalid_request");
      expect(error.status).toBe(400);
      expect(error.details.param).toBe(param);
    }
    expect(rejection(cases[1]![0]).message).toBe(
      "Content block type 'server_tool_use' at 'messages.1.content.0' cannot be translated for this model's provider; remove it, or call an Anthropic model, which receives the request as sent.",
    );
  });

  test("the caller's body is not mutated", () => {
    const body = {
      model: "m",
      max_tokens: 10,
      metadata: { user_id: "u", tenant: "t" },
      messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "ok" }, { type: "text", text: "go" }] }],
    };
    const before = structuredClone(body);
    const request = anthropicDialect.decodeChat(body);
    expect(body).toEqual(before);
    expect(request.extra).toEqual({ metadata: { tenant: "t" } });
  });

  test("output_config: a JSON-schema format is the response format, effort is the reasoning effort, the rest rides in extra", () => {
    const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false };
    const request = decode({ messages: [{ role: "user", content: "x" }], output_config: { format: { type: "json_schema", schema }, effort: "xhigh", future: 1 } });
    expect(request.responseFormat).toEqual({ type: "json_schema", name: "response", schema });
    expect(request.reasoning).toEqual({ effort: "high" });
    expect(request.extra).toEqual({ output_config: { future: 1 } });
    const withThinking = decode({ messages: [{ role: "user", content: "x" }], thinking: { type: "enabled", budget_tokens: 2048 }, output_config: { effort: "low" } });
    expect(withThinking.reasoning).toEqual({ enabled: true, budgetTokens: 2048, effort: "low" });
    expect(rejection({ messages: [{ role: "user", content: "x" }], output_config: { format: { type: "xml" } } }).message).toContain("output_config.format");
    expect(rejection({ messages: [{ role: "user", content: "x" }], output_config: { effort: "huge" } }).status).toBe(400);
  });
});
