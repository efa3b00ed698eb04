import { describe, expect, test } from "bun:test";
import { REDACTED, openInferenceAttributes, spanKindOf, type TraceCall } from "../../src/telemetry/openinference.ts";

const call = (over: Partial<TraceCall>): TraceCall => ({
  operation: "chat",
  dialect: "openai",
  request: {},
  model: "gpt-4o-mini",
  gateway: { callId: "call-1" },
  redact: false,
  ...over,
});

/** Only the keys under a prefix, for focused assertions. */
const under = (attrs: Record<string, unknown>, prefix: string): Record<string, unknown> =>
  Object.fromEntries(Object.entries(attrs).filter(([key]) => key.startsWith(prefix)));

describe("spanKindOf", () => {
  test("LLM for chat, EMBEDDING for embeddings", () => {
    expect(spanKindOf({ operation: "chat" })).toBe("LLM");
    expect(spanKindOf({ operation: "embeddings" })).toBe("EMBEDDING");
  });
});

describe("openInferenceAttributes", () => {
  test("plain OpenAI chat: the whole attribute set", () => {
    const request = {
      model: "fast",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Capital of France?", name: "ann" },
      ],
      temperature: 0.2,
      max_tokens: 50,
      stream: false,
      user: "end-user-7",
      metadata: { foo: "bar" },
    };
    const attrs = openInferenceAttributes(
      call({
        request,
        response: { id: "x", choices: [{ index: 0, message: { role: "assistant", content: "Paris." }, finish_reason: "stop" }] },
        model: "fast",
        upstreamModel: "gpt-4o-mini-2024-07-18",
        provider: "openai",
        usage: { input: 12, output: 3 },
        cost: { total: 4500, input: 1800, output: 2700, cacheRead: 0, cacheWrite: 0 },
        endUser: "end-user-7",
        tags: ["prod", "web"],
        metadata: { app: "docs" },
        gateway: { callId: "call-1", deploymentId: "openai/gpt-4o-mini", keyAlias: "ci-key", teamId: "t-1", teamAlias: "Platform" },
      }),
    );
    expect(attrs).toEqual({
      "openinference.span.kind": "LLM",
      "llm.system": "openai",
      "llm.provider": "openai",
      "llm.model_name": "gpt-4o-mini-2024-07-18",
      "llm.invocation_parameters": '{"temperature":0.2,"max_tokens":50}',
      "input.value": JSON.stringify(request),
      "input.mime_type": "application/json",
      "llm.input_messages.0.message.role": "system",
      "llm.input_messages.0.message.content": "Be brief.",
      "llm.input_messages.1.message.role": "user",
      "llm.input_messages.1.message.name": "ann",
      "llm.input_messages.1.message.content": "Capital of France?",
      "llm.output_messages.0.message.role": "assistant",
      "llm.output_messages.0.message.content": "Paris.",
      "output.value": "Paris.",
      "output.mime_type": "text/plain",
      "llm.token_count.prompt": 12,
      "llm.token_count.completion": 3,
      "llm.token_count.total": 15,
      "llm.cost.total": 0.0000045,
      "llm.cost.prompt": 0.0000018,
      "llm.cost.completion": 0.0000027,
      "llm.cost.prompt_details.input": 0.0000018,
      "llm.cost.prompt_details.cache_read": 0,
      "llm.cost.prompt_details.cache_write": 0,
      "llm.cost.completion_details.output": 0.0000027,
      "user.id": "end-user-7",
      metadata: '{"app":"docs"}',
      "tag.tags": ["prod", "web"],
      "switchboard.call_id": "call-1",
      "switchboard.deployment": "openai/gpt-4o-mini",
      "switchboard.key_alias": "ci-key",
      "switchboard.team_id": "t-1",
      "switchboard.team_alias": "Platform",
    });
  });

  test("llm.system and llm.provider map known provider ids to OpenInference's names; others keep the id", () => {
    const mistral = openInferenceAttributes(call({ provider: "mistral" }));
    expect(mistral["llm.system"]).toBe("mistralai");
    expect(mistral["llm.provider"]).toBe("mistralai");
    for (const [provider, system, host] of [["gemini", "vertexai", "google"], ["vertex_ai", "vertexai", "google"], ["bedrock", "amazon", "aws"], ["azure", "openai", "azure"], ["openai", "openai", "openai"]] as const) {
      const attrs = openInferenceAttributes(call({ provider }));
      expect([attrs["llm.system"], attrs["llm.provider"]]).toEqual([system, host]);
    }
    const groq = openInferenceAttributes(call({ provider: "groq" }));
    expect(groq["llm.system"]).toBe("groq");
    expect(openInferenceAttributes(call({ provider: "anthropic" }))["llm.system"]).toBe("anthropic");
    expect(openInferenceAttributes(call({}))["llm.model_name"]).toBe("gpt-4o-mini");
  });

  test("OpenAI tool-call answer with no text: output.value is the JSON summary of the calls", () => {
    const tools = [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }];
    const attrs = openInferenceAttributes(
      call({
        request: { model: "gpt-4o", messages: [{ role: "user", content: "Weather in Oslo?" }], tools, tool_choice: "auto" },
        response: {
          choices: [{
            message: {
              role: "assistant",
              content: null,
              tool_calls: [
                { id: "call_a", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } },
                { id: "call_b", type: "function", function: { name: "get_weather", arguments: '{"city":"Bergen"}' } },
              ],
            },
          }],
        },
      }),
    );
    expect(attrs["openinference.span.kind"]).toBe("LLM");
    expect(attrs["llm.invocation_parameters"]).toBe('{"tool_choice":"auto"}');
    expect(attrs["llm.tools.0.tool.json_schema"]).toBe(JSON.stringify(tools[0]));
    expect(under(attrs, "llm.output_messages.")).toEqual({
      "llm.output_messages.0.message.role": "assistant",
      "llm.output_messages.0.message.tool_calls.0.tool_call.id": "call_a",
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "get_weather",
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": '{"city":"Oslo"}',
      "llm.output_messages.0.message.tool_calls.1.tool_call.id": "call_b",
      "llm.output_messages.0.message.tool_calls.1.tool_call.function.name": "get_weather",
      "llm.output_messages.0.message.tool_calls.1.tool_call.function.arguments": '{"city":"Bergen"}',
    });
    expect(attrs["output.mime_type"]).toBe("application/json");
    expect(JSON.parse(attrs["output.value"] as string)).toEqual([
      { id: "call_a", name: "get_weather", arguments: '{"city":"Oslo"}' },
      { id: "call_b", name: "get_weather", arguments: '{"city":"Bergen"}' },
    ]);
  });

  test("OpenAI tool results and assistant tool calls in history", () => {
    const attrs = openInferenceAttributes(
      call({
        request: {
          messages: [
            { role: "user", content: "Weather?" },
            { role: "assistant", content: null, tool_calls: [{ id: "call_a", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } }] },
            { role: "tool", tool_call_id: "call_a", content: "12C, rain" },
          ],
        },
      }),
    );
    expect(under(attrs, "llm.input_messages.")).toEqual({
      "llm.input_messages.0.message.role": "user",
      "llm.input_messages.0.message.content": "Weather?",
      "llm.input_messages.1.message.role": "assistant",
      "llm.input_messages.1.message.tool_calls.0.tool_call.id": "call_a",
      "llm.input_messages.1.message.tool_calls.0.tool_call.function.name": "get_weather",
      "llm.input_messages.1.message.tool_calls.0.tool_call.function.arguments": '{"city":"Oslo"}',
      "llm.input_messages.2.message.role": "tool",
      "llm.input_messages.2.message.tool_call_id": "call_a",
      "llm.input_messages.2.message.content": "12C, rain",
    });
  });

  test("Anthropic system, tool_use history and tool_result blocks become tool messages", () => {
    const attrs = openInferenceAttributes(
      call({
        dialect: "anthropic",
        provider: "anthropic",
        model: "claude-sonnet-4-5",
        request: {
          model: "claude-sonnet-4-5",
          max_tokens: 256,
          system: [{ type: "text", text: "You are terse." }],
          metadata: { user_id: "u-9" },
          messages: [
            { role: "user", content: "Weather in Oslo and Rome?" },
            {
              role: "assistant",
              content: [
                { type: "text", text: "Checking." },
                { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Oslo" } },
                { type: "tool_use", id: "toolu_2", name: "get_weather", input: { city: "Rome" } },
              ],
            },
            {
              role: "user",
              content: [
                { type: "tool_result", tool_use_id: "toolu_1", content: "12C" },
                { type: "tool_result", tool_use_id: "toolu_2", content: [{ type: "text", text: "25C" }] },
                { type: "text", text: "And tomorrow?" },
              ],
            },
          ],
        },
      }),
    );
    expect(attrs["llm.invocation_parameters"]).toBe('{"max_tokens":256}');
    expect(under(attrs, "llm.input_messages.")).toEqual({
      "llm.input_messages.0.message.role": "system",
      "llm.input_messages.0.message.contents.0.message_content.type": "text",
      "llm.input_messages.0.message.contents.0.message_content.text": "You are terse.",
      "llm.input_messages.1.message.role": "user",
      "llm.input_messages.1.message.content": "Weather in Oslo and Rome?",
      "llm.input_messages.2.message.role": "assistant",
      "llm.input_messages.2.message.contents.0.message_content.type": "text",
      "llm.input_messages.2.message.contents.0.message_content.text": "Checking.",
      "llm.input_messages.2.message.tool_calls.0.tool_call.id": "toolu_1",
      "llm.input_messages.2.message.tool_calls.0.tool_call.function.name": "get_weather",
      "llm.input_messages.2.message.tool_calls.0.tool_call.function.arguments": '{"city":"Oslo"}',
      "llm.input_messages.2.message.tool_calls.1.tool_call.id": "toolu_2",
      "llm.input_messages.2.message.tool_calls.1.tool_call.function.name": "get_weather",
      "llm.input_messages.2.message.tool_calls.1.tool_call.function.arguments": '{"city":"Rome"}',
      "llm.input_messages.3.message.role": "tool",
      "llm.input_messages.3.message.tool_call_id": "toolu_1",
      "llm.input_messages.3.message.content": "12C",
      "llm.input_messages.4.message.role": "tool",
      "llm.input_messages.4.message.tool_call_id": "toolu_2",
      "llm.input_messages.4.message.contents.0.message_content.type": "text",
      "llm.input_messages.4.message.contents.0.message_content.text": "25C",
      "llm.input_messages.5.message.role": "user",
      "llm.input_messages.5.message.contents.0.message_content.type": "text",
      "llm.input_messages.5.message.contents.0.message_content.text": "And tomorrow?",
    });
  });

  test("Anthropic string system and a text + tool_use answer", () => {
    const attrs = openInferenceAttributes(
      call({
        dialect: "anthropic",
        request: { system: "Be kind.", messages: [{ role: "user", content: "hi" }] },
        response: {
          role: "assistant",
          content: [
            { type: "text", text: "Let me look." },
            { type: "tool_use", id: "toolu_9", name: "search", input: { q: "kindness" } },
          ],
        },
      }),
    );
    expect(attrs["llm.input_messages.0.message.role"]).toBe("system");
    expect(attrs["llm.input_messages.0.message.content"]).toBe("Be kind.");
    expect(under(attrs, "llm.output_messages.")).toEqual({
      "llm.output_messages.0.message.role": "assistant",
      "llm.output_messages.0.message.content": "Let me look.",
      "llm.output_messages.0.message.tool_calls.0.tool_call.id": "toolu_9",
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "search",
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": '{"q":"kindness"}',
    });
    expect(attrs["output.value"]).toBe("Let me look.");
    expect(attrs["output.mime_type"]).toBe("text/plain");
  });

  test("multimodal input: OpenAI image_url keeps its URL; Anthropic base64 becomes a data: URL", () => {
    const openai = openInferenceAttributes(
      call({
        request: {
          messages: [{
            role: "user",
            content: [
              { type: "text", text: "What is this?" },
              { type: "image_url", image_url: { url: "https://example.com/cat.png", detail: "low" } },
              { type: "input_audio", input_audio: { data: "AAAA", format: "wav" } },
            ],
          }],
        },
      }),
    );
    expect(under(openai, "llm.input_messages.")).toEqual({
      "llm.input_messages.0.message.role": "user",
      "llm.input_messages.0.message.contents.0.message_content.type": "text",
      "llm.input_messages.0.message.contents.0.message_content.text": "What is this?",
      "llm.input_messages.0.message.contents.1.message_content.type": "image",
      "llm.input_messages.0.message.contents.1.message_content.image.image.url": "https://example.com/cat.png",
      "llm.input_messages.0.message.contents.2.message_content.type": "input_audio",
    });

    const anthropic = openInferenceAttributes(
      call({
        dialect: "anthropic",
        request: {
          messages: [{
            role: "user",
            content: [
              { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
              { type: "image", source: { type: "url", url: "https://example.com/dog.jpg" } },
              { type: "text", text: "Compare." },
            ],
          }],
        },
      }),
    );
    expect(under(anthropic, "llm.input_messages.")).toEqual({
      "llm.input_messages.0.message.role": "user",
      "llm.input_messages.0.message.contents.0.message_content.type": "image",
      "llm.input_messages.0.message.contents.0.message_content.image.image.url": "data:image/png;base64,iVBORw0KGgo=",
      "llm.input_messages.0.message.contents.1.message_content.type": "image",
      "llm.input_messages.0.message.contents.1.message_content.image.image.url": "https://example.com/dog.jpg",
      "llm.input_messages.0.message.contents.2.message_content.type": "text",
      "llm.input_messages.0.message.contents.2.message_content.text": "Compare.",
    });
  });

  test("Anthropic cache tokens: cache_read and cache_write, and their costs", () => {
    const attrs = openInferenceAttributes(
      call({
        dialect: "anthropic",
        usage: { input: 1500, output: 20, cacheRead: 1000, cacheWrite: 400 },
        cost: { total: 1_000_000, input: 300_000, output: 300_000, cacheRead: 100_000, cacheWrite: 300_000 },
      }),
    );
    expect(under(attrs, "llm.token_count.")).toEqual({
      "llm.token_count.prompt": 1500,
      "llm.token_count.completion": 20,
      "llm.token_count.total": 1520,
      "llm.token_count.prompt_details.cache_read": 1000,
      "llm.token_count.prompt_details.cache_write": 400,
    });
    expect(under(attrs, "llm.cost.")).toEqual({
      "llm.cost.total": 0.001,
      "llm.cost.prompt": 0.0007,
      "llm.cost.completion": 0.0003,
      "llm.cost.prompt_details.input": 0.0003,
      "llm.cost.prompt_details.cache_read": 0.0001,
      "llm.cost.prompt_details.cache_write": 0.0003,
      "llm.cost.completion_details.output": 0.0003,
    });
  });

  test("OpenAI cached tokens, reasoning and audio; absent counts are not emitted", () => {
    const attrs = openInferenceAttributes(
      call({
        usage: { input: 2000, output: 500, cacheRead: 1024, reasoning: 320, audioOutput: 7 },
        cost: { total: 9_000, input: 2_000, output: 3_000, cacheRead: 1_000, cacheWrite: 0, reasoning: 3_000 },
      }),
    );
    expect(under(attrs, "llm.token_count.")).toEqual({
      "llm.token_count.prompt": 2000,
      "llm.token_count.completion": 500,
      "llm.token_count.total": 2500,
      "llm.token_count.prompt_details.cache_read": 1024,
      "llm.token_count.completion_details.reasoning": 320,
      "llm.token_count.completion_details.audio": 7,
    });
    expect(attrs["llm.cost.completion"]).toBe(0.000006);
    expect(attrs["llm.cost.completion_details.reasoning"]).toBe(0.000003);
    expect(attrs["llm.cost.prompt"]).toBe(0.000003);
    const plain = openInferenceAttributes(call({ usage: { input: 5, output: 1 } }));
    expect(Object.keys(plain).filter((key) => key.includes("_details"))).toEqual([]);
    expect(Object.keys(plain).some((key) => key.startsWith("llm.cost"))).toBe(false);
  });

  test("OpenAI stream: content and tool-call arguments aggregated by index; [DONE], junk and errors ignored", () => {
    const chunk = (delta: Record<string, unknown>) => JSON.stringify({ object: "chat.completion.chunk", choices: [{ index: 0, delta }] });
    const streamEvents = [
      chunk({ role: "assistant", content: "" }),
      chunk({ content: "Let me " }),
      chunk({ content: "check." }),
      chunk({ tool_calls: [{ index: 0, id: "call_x", type: "function", function: { name: "lookup", arguments: "" } }] }),
      chunk({ tool_calls: [{ index: 1, id: "call_y", type: "function", function: { name: "fetch", arguments: '{"u' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"q":' } }] }),
      "not json",
      JSON.stringify({ error: { message: "boom", content: "should not appear" } }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"cats"}' } }] }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: 'rl":"x"}' } }] }),
      JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }], usage: { prompt_tokens: 3 } }),
      "[DONE]",
    ];
    const attrs = openInferenceAttributes(call({ request: { messages: [{ role: "user", content: "cats?" }], stream: true }, streamEvents }));
    expect(under(attrs, "llm.output_messages.")).toEqual({
      "llm.output_messages.0.message.role": "assistant",
      "llm.output_messages.0.message.content": "Let me check.",
      "llm.output_messages.0.message.tool_calls.0.tool_call.id": "call_x",
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "lookup",
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": '{"q":"cats"}',
      "llm.output_messages.0.message.tool_calls.1.tool_call.id": "call_y",
      "llm.output_messages.0.message.tool_calls.1.tool_call.function.name": "fetch",
      "llm.output_messages.0.message.tool_calls.1.tool_call.function.arguments": '{"url":"x"}',
    });
    expect(attrs["output.value"]).toBe("Let me check.");
    expect(attrs["llm.invocation_parameters"]).toBeUndefined();
  });

  test("OpenAI stream with only tool calls: output.value is the JSON summary", () => {
    const streamEvents = [
      JSON.stringify({ choices: [{ index: 0, delta: { role: "assistant", tool_calls: [{ index: 0, id: "c1", function: { name: "f", arguments: '{"a"' } }] } }] }),
      JSON.stringify({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: ":1}" } }] } }] }),
      "[DONE]",
    ];
    const attrs = openInferenceAttributes(call({ streamEvents }));
    expect(attrs["output.value"]).toBe('[{"id":"c1","name":"f","arguments":"{\\"a\\":1}"}]');
    expect(attrs["output.mime_type"]).toBe("application/json");
  });

  test("Anthropic stream: text deltas and input_json_delta per block", () => {
    const ev = (value: Record<string, unknown>) => JSON.stringify(value);
    const streamEvents = [
      ev({ type: "message_start", message: { id: "msg_1", role: "assistant", content: [], usage: { input_tokens: 10 } } }),
      ev({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }),
      ev({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Looking " } }),
      ev({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "it up." } }),
      ev({ type: "content_block_stop", index: 0 }),
      ev({ type: "ping" }),
      ev({ type: "content_block_start", index: 1, content_block: { type: "tool_use", id: "toolu_s", name: "search", input: {} } }),
      ev({ type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '{"query": ' } }),
      "{broken",
      ev({ type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '"otters"}' } }),
      ev({ type: "content_block_stop", index: 1 }),
      ev({ type: "content_block_start", index: 2, content_block: { type: "tool_use", id: "toolu_t", name: "noop", input: {} } }),
      ev({ type: "content_block_stop", index: 2 }),
      ev({ type: "message_delta", delta: { stop_reason: "tool_use" }, usage: { output_tokens: 12 } }),
      ev({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }),
      ev({ type: "message_stop" }),
    ];
    const attrs = openInferenceAttributes(call({ dialect: "anthropic", request: { messages: [] }, streamEvents }));
    expect(under(attrs, "llm.output_messages.")).toEqual({
      "llm.output_messages.0.message.role": "assistant",
      "llm.output_messages.0.message.content": "Looking it up.",
      "llm.output_messages.0.message.tool_calls.0.tool_call.id": "toolu_s",
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "search",
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": '{"query": "otters"}',
      "llm.output_messages.0.message.tool_calls.1.tool_call.id": "toolu_t",
      "llm.output_messages.0.message.tool_calls.1.tool_call.function.name": "noop",
      "llm.output_messages.0.message.tool_calls.1.tool_call.function.arguments": "{}",
    });
    expect(attrs["output.value"]).toBe("Looking it up.");
    expect(attrs["output.mime_type"]).toBe("text/plain");
  });

  test("embeddings: EMBEDDING span, model name, input texts, no vectors", () => {
    const request = { model: "text-embedding-3-small", input: ["alpha text", "beta text"], dimensions: 256 };
    const attrs = openInferenceAttributes(
      call({
        operation: "embeddings",
        request,
        response: { data: [{ index: 0, embedding: [0.1, 0.2] }, { index: 1, embedding: [0.3, 0.4] }] },
        model: "text-embedding-3-small",
        provider: "openai",
        usage: { input: 4, output: 0 },
      }),
    );
    expect(attrs).toEqual({
      "openinference.span.kind": "EMBEDDING",
      "llm.system": "openai",
      "llm.provider": "openai",
      "llm.model_name": "text-embedding-3-small",
      "embedding.model_name": "text-embedding-3-small",
      "llm.invocation_parameters": '{"dimensions":256}',
      "input.value": JSON.stringify(request),
      "input.mime_type": "application/json",
      "embedding.embeddings.0.embedding.text": "alpha text",
      "embedding.embeddings.1.embedding.text": "beta text",
      "llm.token_count.prompt": 4,
      "llm.token_count.completion": 0,
      "llm.token_count.total": 4,
      "switchboard.call_id": "call-1",
    });
    const single = openInferenceAttributes(call({ operation: "embeddings", request: { input: "one" } }));
    expect(single["embedding.embeddings.0.embedding.text"]).toBe("one");
    expect(Object.keys(single).some((key) => key.includes("vector"))).toBe(false);
  });

  test("user.id only from endUser; session.id only when given", () => {
    const request = { messages: [{ role: "user", content: "hi" }], user: "from-body", metadata: { session_id: "from-body" } };
    const none = openInferenceAttributes(call({ request }));
    expect(none["user.id"]).toBeUndefined();
    expect(none["session.id"]).toBeUndefined();
    const both = openInferenceAttributes(call({ request, endUser: "eu-1", sessionId: "sess-42" }));
    expect(both["user.id"]).toBe("eu-1");
    expect(both["session.id"]).toBe("sess-42");
  });

  test("redaction removes every prompt, completion, tool argument and image; keeps names, ids, counts, cost", () => {
    const secrets = [
      "SECRET-SYSTEM", "SECRET-PROMPT", "SECRET-PART", "SECRET-TOOL-RESULT", "SECRET-HISTORY-ARG",
      "SECRET-ANSWER", "SECRET-STREAM-ARG", "SECRET-EMBED", "https://example.com/secret.png", "data:",
    ];
    const openai = openInferenceAttributes(
      call({
        redact: true,
        provider: "openai",
        request: {
          messages: [
            { role: "system", content: "SECRET-SYSTEM" },
            { role: "user", content: [{ type: "text", text: "SECRET-PART" }, { type: "image_url", image_url: { url: "https://example.com/secret.png" } }] },
            { role: "assistant", content: "SECRET-PROMPT", tool_calls: [{ id: "call_h", function: { name: "lookup", arguments: '{"q":"SECRET-HISTORY-ARG"}' } }] },
            { role: "tool", tool_call_id: "call_h", content: "SECRET-TOOL-RESULT" },
          ],
          temperature: 0,
        },
        response: { choices: [{ message: { role: "assistant", content: "SECRET-ANSWER" } }] },
        usage: { input: 10, output: 2 },
        cost: { total: 100, input: 60, output: 40, cacheRead: 0, cacheWrite: 0 },
      }),
    );
    const anthropic = openInferenceAttributes(
      call({
        redact: true,
        dialect: "anthropic",
        request: {
          system: "SECRET-SYSTEM",
          messages: [
            { role: "user", content: [{ type: "image", source: { type: "base64", media_type: "image/png", data: "SECRETBASE64" } }] },
            { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_r", content: "SECRET-TOOL-RESULT" }] },
          ],
        },
        streamEvents: [
          JSON.stringify({ type: "content_block_start", index: 0, content_block: { type: "tool_use", id: "toolu_o", name: "act", input: {} } }),
          JSON.stringify({ type: "content_block_delta", index: 0, delta: { type: "input_json_delta", partial_json: '{"x":"SECRET-STREAM-ARG"}' } }),
        ],
      }),
    );
    const embed = openInferenceAttributes(call({ redact: true, operation: "embeddings", request: { input: ["SECRET-EMBED"] } }));
    const dump = JSON.stringify([openai, anthropic, embed]);
    for (const secret of [...secrets, "SECRETBASE64"]) expect(dump).not.toContain(secret);

    expect(openai["input.value"]).toBe(REDACTED);
    expect(openai["input.mime_type"]).toBe("text/plain");
    expect(openai["output.value"]).toBe(REDACTED);
    expect(openai["output.mime_type"]).toBe("text/plain");
    expect(openai["llm.input_messages.1.message.contents.1.message_content.image.image.url"]).toBe(REDACTED);
    expect(openai["llm.input_messages.2.message.tool_calls.0.tool_call.function.name"]).toBe("lookup");
    expect(openai["llm.input_messages.2.message.tool_calls.0.tool_call.id"]).toBe("call_h");
    expect(openai["llm.input_messages.3.message.role"]).toBe("tool");
    expect(openai["llm.input_messages.3.message.tool_call_id"]).toBe("call_h");
    expect(openai["llm.token_count.total"]).toBe(12);
    expect(openai["llm.cost.total"]).toBe(1e-7);
    expect(openai["llm.model_name"]).toBe("gpt-4o-mini");
    expect(openai["llm.invocation_parameters"]).toBe('{"temperature":0}');
    expect(anthropic["llm.output_messages.0.message.tool_calls.0.tool_call.function.name"]).toBe("act");
    expect(anthropic["llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments"]).toBe(REDACTED);
    expect(anthropic["output.value"]).toBe(REDACTED);
    expect(embed["embedding.embeddings.0.embedding.text"]).toBe(REDACTED);
  });

  test("credentials inside the body never reach input.value or invocation parameters", () => {
    const attrs = openInferenceAttributes(
      call({
        dialect: "anthropic",
        request: { messages: [], mcp_servers: [{ type: "url", url: "https://mcp.example", authorization_token: "sk-live-123" }] },
      }),
    );
    expect(JSON.stringify(attrs)).not.toContain("sk-live-123");
    expect(attrs["llm.invocation_parameters"]).toContain("https://mcp.example");
  });

  test("the request text is input.value as sent; a text that may hold credentials is masked instead", () => {
    const clean = '{"model":"m",  "messages":[{"role":"user","content":"hi"}],"max_tokens":5}';
    const plain = openInferenceAttributes(call({ request: JSON.parse(clean), requestText: clean }));
    expect(plain["input.value"]).toBe(clean);
    expect(plain["llm.invocation_parameters"]).toBe('{"max_tokens":5}');
    for (const key of ["api_key", "API_KEY", "apiKey", "authorization", "authorization_token"]) {
      const text = `{"model":"m","messages":[],"${key}":"sk-live-999","extra":{"Authorization":"Bearer sk-live-888"}}`;
      const attrs = openInferenceAttributes(call({ request: JSON.parse(text), requestText: text }));
      expect(JSON.stringify(attrs)).not.toContain("sk-live-9");
      expect(JSON.stringify(attrs)).not.toContain("sk-live-8");
      expect(attrs["input.value"]).toContain(REDACTED);
    }
  });

  test("malformed input never throws and yields fewer attributes", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const weird: unknown[] = [
      null,
      undefined,
      42,
      {},
      { operation: "chat" },
      call({ request: null as unknown as Record<string, unknown> }),
      call({ request: { messages: "nope", tools: [1n] } }),
      call({ request: { messages: [null, 5, { role: 3, content: { x: 1 } }, { content: [null, 7, { type: "image_url" }] }, { tool_calls: [null, { function: 9 }] }] } }),
      call({ dialect: "anthropic", request: { system: 5, messages: [null, { content: [null, { type: "tool_use", input: 1n }, { type: "image", source: null }] }, { content: {} }] } }),
      call({ response: { choices: "x" }, streamEvents: ["[DONE]", "null", "5", "[]", '{"choices":[null,{"delta":null}]}', '{"choices":[{"delta":{"tool_calls":[null,{"function":null}]}}]}'] }),
      call({ dialect: "anthropic", response: { content: [null, 1] }, streamEvents: ['{"type":"content_block_delta","index":4,"delta":{"type":"input_json_delta","partial_json":"x"}}'] }),
      call({ dialect: "anthropic", streamEvents: 7 as unknown as string[] }),
      call({ usage: { input: "x", output: Number.NaN } as unknown as TraceCall["usage"], cost: "free" as unknown as TraceCall["cost"] }),
      call({ metadata: cyclic, tags: "t" as unknown as string[], gateway: null as unknown as TraceCall["gateway"] }),
      call({ operation: "embeddings", request: { input: [[1, 2, 3], null, "ok"] } }),
    ];
    for (const input of weird) {
      expect(() => openInferenceAttributes(input as TraceCall)).not.toThrow();
    }
    const partial = openInferenceAttributes(call({ request: { messages: [null, { role: "user", content: "still here" }] }, metadata: cyclic }));
    expect(partial["llm.input_messages.0.message.content"]).toBe("still here");
    expect(partial.metadata).toBeUndefined();
    expect(partial["openinference.span.kind"]).toBe("LLM");
    const tokens = openInferenceAttributes(call({ operation: "embeddings", request: { input: [[1, 2, 3], null, "ok"] } }));
    expect(under(tokens, "embedding.embeddings.")).toEqual({ "embedding.embeddings.2.embedding.text": "ok" });
    const bigint = openInferenceAttributes(call({ request: { messages: [{ role: "user", content: "hi" }], seed: 1n } }));
    expect(bigint["input.value"]).toBeUndefined();
    expect(bigint["llm.input_messages.0.message.content"]).toBe("hi");
  });

  test("redaction is the default when `redact` is missing", () => {
    const attrs = openInferenceAttributes({ ...call({ request: { messages: [{ role: "user", content: "private" }] } }), redact: undefined as unknown as boolean });
    expect(JSON.stringify(attrs)).not.toContain("private");
  });
});
