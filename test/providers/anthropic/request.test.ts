import { describe, expect, test } from "bun:test";
import { buildAnthropicRequest } from "../../../src/providers/anthropic/request.ts";
import { defaultMaxTokens } from "../../../src/providers/anthropic/max-tokens.ts";
import type { ChatRequest, Message } from "../../../src/canonical/chat.ts";
import { GatewayError } from "../../../src/canonical/errors.ts";
import { assistant, build, chatRequest, deepFreeze, DROP, STRICT, system, TARGET, user } from "./helpers.ts";

/** Runs `fn`, expecting a caller.invalid_request GatewayError; returns it. */
function refused(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe("caller.invalid_request");
    expect((error as GatewayError).status).toBe(400);
    return error as GatewayError;
  }
  throw new Error("expected a GatewayError");
}

const WEATHER = { name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } };

describe("URL, headers and the basic body", () => {
  test("POSTs {base}/messages with key, version and JSON headers", () => {
    const { upstream, body } = build();
    expect(upstream.url).toBe("https://api.anthropic.com/v1/messages");
    expect(upstream.headers).toEqual({
      "content-type": "application/json",
      accept: "application/json",
      "anthropic-version": "2023-06-01",
      "x-api-key": "sk-ant-api03-test-key",
    });
    expect(body).toEqual({ model: "claude-sonnet-4-5-20250929", max_tokens: 64000, messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }] });
  });

  test("a trailing slash on the base is not doubled; streaming asks for SSE", () => {
    const { upstream, body } = build({ stream: true }, STRICT, { ...TARGET, apiBase: "http://127.0.0.1:9/v1/" });
    expect(upstream.url).toBe("http://127.0.0.1:9/v1/messages");
    expect(upstream.headers.accept).toBe("text/event-stream");
    expect(body.stream).toBe(true);
  });

  test("betas from providerOptions and from the deployment's headers are joined, once each", () => {
    const { upstream } = build(
      { providerOptions: { anthropic: { beta: ["interleaved-thinking-2025-05-14", "context-1m-2025-08-07"] } } },
      STRICT,
      { ...TARGET, headers: { "anthropic-beta": "context-1m-2025-08-07,token-efficient-tools-2025-02-19", "X-Team": "blue" } },
    );
    expect(upstream.headers["anthropic-beta"]).toBe("interleaved-thinking-2025-05-14,context-1m-2025-08-07,token-efficient-tools-2025-02-19");
    expect(upstream.headers["x-team"]).toBe("blue");
  });

  test("no key configured sends no x-api-key", () => {
    const { upstream } = build({}, STRICT, { model: "m", apiBase: "http://x/v1" });
    expect("x-api-key" in upstream.headers).toBe(false);
  });
});

describe("system messages", () => {
  test("several system messages, anywhere, become system blocks in order; cache_control kept; empty ones dropped", () => {
    const { body } = build({
      messages: [
        system("You are terse."),
        user("Hi"),
        { role: "system", content: [{ type: "text", text: "Use metric units.", cacheControl: { type: "ephemeral", ttl: "1h" } }] },
        { role: "system", content: [{ type: "text", text: "  " }] },
        { role: "system", content: [] },
        user("Weather?"),
      ],
    });
    expect(body.system).toEqual([
      { type: "text", text: "You are terse." },
      { type: "text", text: "Use metric units.", cache_control: { type: "ephemeral", ttl: "1h" } },
    ]);
    // The system message between the two user messages is lifted out, so they merge into one turn.
    expect(body.messages).toEqual([{ role: "user", content: [{ type: "text", text: "Hi" }, { type: "text", text: "Weather?" }] }]);
  });

  test("only empty system messages: no system field at all", () => {
    expect("system" in build({ messages: [system(""), user("Hi")] }).body).toBe(false);
  });

  test("a non-text part in a system message is refused, naming the message", () => {
    const error = refused(() => build({ messages: [{ role: "system", content: [{ type: "image", source: { kind: "url", url: "https://x/y.png" } }] }, user("Hi")] }));
    expect(error.details.param).toBe("messages[0]");
  });
});

describe("user content parts", () => {
  test("images: https URL, base64, data: URI; cache_control kept; detail dropped", () => {
    const { body } = build({
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Compare" },
            { type: "image", source: { kind: "url", url: "https://example.com/a.png" }, detail: "high" },
            { type: "image", source: { kind: "base64", mediaType: "image/jpeg", data: "/9j/4AAQ" }, cacheControl: { type: "ephemeral" } },
            { type: "image", source: { kind: "url", url: "data:image/png;base64,iVBORw0KGgo=" } },
          ],
        },
      ],
    });
    expect(body.messages[0].content).toEqual([
      { type: "text", text: "Compare" },
      { type: "image", source: { type: "url", url: "https://example.com/a.png" } },
      { type: "image", source: { type: "base64", media_type: "image/jpeg", data: "/9j/4AAQ" }, cache_control: { type: "ephemeral" } },
      { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
    ]);
  });

  test("documents: PDF base64, plain text (decoded), URL, with title and cache_control", () => {
    const { body } = build({
      messages: [
        {
          role: "user",
          content: [
            { type: "document", source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0xLjQ=" }, title: "Report", cacheControl: { type: "ephemeral" } },
            { type: "document", source: { kind: "base64", mediaType: "text/plain", data: Buffer.from("plain é text").toString("base64") } },
            { type: "document", source: { kind: "url", url: "https://example.com/paper.pdf" } },
            { type: "text", text: "Summarise" },
          ],
        },
      ],
    });
    expect(body.messages[0].content).toEqual([
      { type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBERi0xLjQ=" }, title: "Report", cache_control: { type: "ephemeral" } },
      { type: "document", source: { type: "text", media_type: "text/plain", data: "plain é text" } },
      { type: "document", source: { type: "url", url: "https://example.com/paper.pdf" } },
      { type: "text", text: "Summarise" },
    ]);
  });

  test("a document Anthropic cannot read is refused, naming the message", () => {
    const error = refused(() =>
      build({ messages: [user("a"), assistant("b"), { role: "user", content: [{ type: "document", source: { kind: "base64", mediaType: "application/msword", data: "AAAA" } }] }] }),
    );
    expect(error.details.param).toBe("messages[2]");
    expect(error.message).toContain("application/msword");
  });
});

describe("assistant turns: tool calls and thinking", () => {
  const history = (args: string): Message[] => [
    user("Weather in Paris?"),
    { role: "assistant", content: [{ type: "tool-call", id: "toolu_01A", name: "get_weather", arguments: args }] },
    { role: "tool", content: [{ type: "tool-result", toolCallId: "toolu_01A", content: "18°C" }] },
  ];

  test("tool-call parts become tool_use blocks with the parsed arguments", () => {
    const { body } = build({ messages: history('{"city":"Paris","days":[1,2]}'), tools: [WEATHER] });
    expect(body.messages[1]).toEqual({ role: "assistant", content: [{ type: "tool_use", id: "toolu_01A", name: "get_weather", input: { city: "Paris", days: [1, 2] } }] });
    expect(body.messages[2]).toEqual({ role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_01A", content: "18°C" }] });
  });

  test("empty arguments mean no arguments", () => {
    expect(build({ messages: history("") }).body.messages[1].content[0].input).toEqual({});
  });

  test("unparseable or non-object arguments are refused, naming the message and the call", () => {
    const error = refused(() => build({ messages: history('{"city": "Par') }));
    expect(error.details.param).toBe("messages[1]");
    expect(error.message).toContain("toolu_01A");
    expect(refused(() => build({ messages: history("[1,2]") })).message).toContain("must be a JSON object");
  });

  test("thinking with a signature goes back as a thinking block; redacted thinking as redacted_thinking; unsigned thinking is not sent", () => {
    const { body } = build({
      messages: [
        user("Q"),
        {
          role: "assistant",
          content: [
            { type: "thinking", text: "Let me think.", signature: "EqQBCgIYAhIM" },
            { type: "redacted-thinking", data: "EmwKAhgBEgy3va3p" },
            { type: "thinking", text: "from another provider" },
            { type: "text", text: "A" },
          ],
        },
        user("Q2"),
      ],
    });
    expect(body.messages[1].content).toEqual([
      { type: "thinking", thinking: "Let me think.", signature: "EqQBCgIYAhIM" },
      { type: "redacted_thinking", data: "EmwKAhgBEgy3va3p" },
      { type: "text", text: "A" },
    ]);
  });

  test("an image in an assistant message is refused", () => {
    refused(() => build({ messages: [user("a"), { role: "assistant", content: [{ type: "image", source: { kind: "url", url: "https://x/y.png" } }] }] }));
  });
});

describe("tool results and role alternation", () => {
  test("consecutive tool messages merge into one user turn, results before the user's text", () => {
    const { body } = build({
      messages: [
        user("Weather in Paris and Tokyo?"),
        {
          role: "assistant",
          content: [
            { type: "tool-call", id: "toolu_01A", name: "get_weather", arguments: '{"city":"Paris"}' },
            { type: "tool-call", id: "toolu_01B", name: "get_weather", arguments: '{"city":"Tokyo"}' },
          ],
        },
        { role: "tool", content: [{ type: "tool-result", toolCallId: "toolu_01A", content: [{ type: "text", text: "18°C" }], cacheControl: { type: "ephemeral" } }] },
        { role: "tool", content: [{ type: "tool-result", toolCallId: "toolu_01B", content: "city not found", isError: true }] },
        user("Also, which is warmer?"),
      ],
      tools: [WEATHER],
    });
    expect(body.messages).toHaveLength(3);
    expect(body.messages[2]).toEqual({
      role: "user",
      content: [
        { type: "tool_result", tool_use_id: "toolu_01A", content: [{ type: "text", text: "18°C" }], cache_control: { type: "ephemeral" } },
        { type: "tool_result", tool_use_id: "toolu_01B", content: "city not found", is_error: true },
        { type: "text", text: "Also, which is warmer?" },
      ],
    });
  });

  test("a user message sent between a tool call and its result: the result still comes first in the merged turn", () => {
    const { body } = build({
      messages: [
        user("Weather?"),
        { role: "assistant", content: [{ type: "tool-call", id: "toolu_01A", name: "get_weather", arguments: "{}" }] },
        user("(take your time)"),
        { role: "tool", content: [{ type: "tool-result", toolCallId: "toolu_01A", content: "18°C" }] },
      ],
    });
    expect(body.messages[2]).toEqual({
      role: "user",
      content: [
        { type: "tool_result", tool_use_id: "toolu_01A", content: "18°C" },
        { type: "text", text: "(take your time)" },
      ],
    });
  });

  test("consecutive same-role messages merge so roles alternate", () => {
    const { body } = build({ messages: [user("a"), user("b"), assistant("c"), assistant("d"), user("e")] });
    expect(body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "a" }, { type: "text", text: "b" }] },
      { role: "assistant", content: [{ type: "text", text: "c" }, { type: "text", text: "d" }] },
      { role: "user", content: [{ type: "text", text: "e" }] },
    ]);
  });
});

describe("tools and tool_choice", () => {
  const hosted = { type: "web_search_20250305", name: "web_search", max_uses: 3 };

  test("tools become custom tools with input_schema; cache_control kept; {} parameters get type object; hosted tools appended untouched", () => {
    const { body } = build({
      tools: [WEATHER, { name: "list_files", parameters: {}, cacheControl: { type: "ephemeral" } }, WEATHER],
      hostedTools: [hosted],
    });
    expect(body.tools).toEqual([
      { name: "get_weather", description: "Weather for a city", input_schema: WEATHER.parameters },
      { name: "list_files", input_schema: { type: "object", properties: {} }, cache_control: { type: "ephemeral" } },
      hosted,
    ]);
    expect("tool_choice" in body).toBe(false);
  });

  const choices: [ChatRequest["toolChoice"], unknown][] = [
    [{ type: "auto" }, { type: "auto" }],
    [{ type: "none" }, { type: "none" }],
    [{ type: "required" }, { type: "any" }],
    [{ type: "tool", name: "get_weather" }, { type: "tool", name: "get_weather" }],
  ];
  for (const [choice, wire] of choices) {
    test(`tool_choice ${JSON.stringify(choice)} -> ${JSON.stringify(wire)}`, () => {
      expect(build({ tools: [WEATHER], toolChoice: choice }).body.tool_choice).toEqual(wire);
    });
  }

  test("parallel_tool_calls false -> disable_parallel_tool_use on auto/any/tool, not on none", () => {
    expect(build({ tools: [WEATHER], parallelToolCalls: false }).body.tool_choice).toEqual({ type: "auto", disable_parallel_tool_use: true });
    expect(build({ tools: [WEATHER], parallelToolCalls: false, toolChoice: { type: "required" } }).body.tool_choice).toEqual({ type: "any", disable_parallel_tool_use: true });
    expect(build({ tools: [WEATHER], parallelToolCalls: false, toolChoice: { type: "none" } }).body.tool_choice).toEqual({ type: "none" });
    expect("tool_choice" in build({ parallelToolCalls: false }).body).toBe(false);
  });

  test("tool_choice without tools: auto/none are left out, a forced call is refused", () => {
    expect("tool_choice" in build({ toolChoice: { type: "auto" } }).body).toBe(false);
    expect(refused(() => build({ toolChoice: { type: "required" } })).details.param).toBe("tool_choice");
  });
});

describe("sampling, stop, max_tokens, user, extras", () => {
  test("temperature, top_p, top_k, stop -> stop_sequences, user -> metadata.user_id, explicit max_tokens", () => {
    const { body } = build({ temperature: 0.3, topP: 0.9, topK: 40, stop: ["END", "\n\nHuman:"], user: "user-42", maxTokens: 512 });
    expect(body).toMatchObject({ temperature: 0.3, top_p: 0.9, top_k: 40, stop_sequences: ["END", "\n\nHuman:"], metadata: { user_id: "user-42" }, max_tokens: 512 });
  });

  test("a whitespace-only stop sequence is refused by name, or dropped with drop_params", () => {
    expect(refused(() => build({ stop: ["\n", "END"] })).details.param).toBe("stop");
    expect(build({ stop: ["\n", "END"] }, DROP).body.stop_sequences).toEqual(["END"]);
    expect("stop_sequences" in build({ stop: [" "] }, DROP).body).toBe(false);
  });

  test("max_tokens defaults by model family", () => {
    const table: [string, number][] = [
      ["claude-3-haiku-20240307", 4096],
      ["claude-3-opus-20240229", 4096],
      ["claude-3-5-sonnet-20241022", 8192],
      ["claude-3-5-haiku-latest", 8192],
      ["anthropic.claude-3-5-sonnet-20240620-v1:0", 8192],
      ["claude-3-7-sonnet-20250219", 64000],
      ["claude-sonnet-4-20250514", 64000],
      ["claude-sonnet-4-5", 64000],
      ["claude-haiku-4-5-20251001", 64000],
      ["claude-opus-4-20250514", 32000],
      ["claude-opus-4-1-20250805", 32000],
      ["claude-opus-4-5-20251101", 64000],
      ["claude-opus-5", 32000],
      ["claude-2.1", 4096],
      ["my-fine-tune", 4096],
    ];
    for (const [model, tokens] of table) expect([model, defaultMaxTokens(model)]).toEqual([model, tokens]);
    expect(build({}, STRICT, { ...TARGET, model: "claude-3-5-haiku-20241022" }).body.max_tokens).toBe(8192);
  });

  test("extra parameters Anthropic knows are forwarded; OpenAI defaults that change nothing are ignored", () => {
    const { body } = build({
      extra: { service_tier: "auto", container: "container_011CQ", mcp_servers: [{ type: "url", url: "https://mcp.example.com/sse", name: "ex" }], metadata: { user_id: "u-7" }, n: 1, presence_penalty: 0, logprobs: null },
    });
    expect(body).toMatchObject({ service_tier: "auto", container: "container_011CQ", mcp_servers: [{ type: "url", url: "https://mcp.example.com/sse", name: "ex" }], metadata: { user_id: "u-7" } });
    for (const name of ["n", "presence_penalty", "logprobs"]) expect(name in body).toBe(false);
  });

  test("unknown parameters are refused by name, or dropped with drop_params", () => {
    expect(refused(() => build({ extra: { logit_bias: { "50256": -100 } } })).details.param).toBe("logit_bias");
    expect(refused(() => build({ extra: { n: 2 } })).details.param).toBe("n");
    expect(refused(() => build({ extra: { service_tier: "flex" } })).details.param).toBe("service_tier");
    expect(refused(() => build({ extra: { metadata: { session: "s" } } })).details.param).toBe("metadata.session");
    expect(refused(() => build({ seed: 7 })).details.param).toBe("seed");
    const dropped = build({ extra: { logit_bias: { "1": 2 }, n: 2, service_tier: "flex" }, seed: 7 }, DROP).body;
    for (const name of ["logit_bias", "n", "service_tier", "seed"]) expect(name in dropped).toBe(false);
  });
});

describe("response_format", () => {
  const schema = { type: "object", properties: { answer: { type: "number" } }, required: ["answer"] };

  test("json_schema -> a forced json_output tool whose input schema is the answer's; the state remembers it", () => {
    const { body, state } = build({ responseFormat: { type: "json_schema", name: "result", schema, description: "The result" } });
    expect(body.tools).toEqual([{ name: "json_output", description: "The result", input_schema: schema }]);
    expect(body.tool_choice).toEqual({ type: "tool", name: "json_output" });
    expect(state.jsonTool).toBe("json_output");
  });

  test("json_object -> any object", () => {
    const { body } = build({ responseFormat: { type: "json_object" } });
    expect(body.tools[0].input_schema).toEqual({ type: "object", additionalProperties: true });
    expect(body.tool_choice).toEqual({ type: "tool", name: "json_output" });
  });

  test("with client tools the model may call them or answer (any); a client tool named json_output keeps its name", () => {
    const { body, state } = build({ tools: [{ ...WEATHER, name: "json_output" }], responseFormat: { type: "json_object" } });
    expect(body.tools.map((tool: { name: string }) => tool.name)).toEqual(["json_output", "json_output_2"]);
    expect(body.tool_choice).toEqual({ type: "any" });
    expect(state.jsonTool).toBe("json_output_2");
  });

  test("text format changes nothing; a non-object root schema is refused", () => {
    expect("tools" in build({ responseFormat: { type: "text" } }).body).toBe(false);
    expect(refused(() => build({ responseFormat: { type: "json_schema", name: "list", schema: { type: "array" } } })).details.param).toBe("response_format");
  });
});

describe("reasoning -> extended thinking", () => {
  test("an explicit budget", () => {
    const { body } = build({ reasoning: { budgetTokens: 2048 } });
    expect(body.thinking).toEqual({ type: "enabled", budget_tokens: 2048 });
    expect(body.max_tokens).toBe(64000);
  });

  test("effort levels map to budgets", () => {
    const budgets = (["minimal", "low", "medium", "high"] as const).map((effort) => build({ reasoning: { effort } }).body.thinking.budget_tokens);
    expect(budgets).toEqual([1024, 1024, 4096, 16000]);
  });

  test("enabled false means no thinking", () => {
    expect("thinking" in build({ reasoning: { enabled: false, effort: "high" } }).body).toBe(false);
  });

  test("an effort budget is cut to fit under the client's max_tokens; too small a max_tokens is refused", () => {
    expect(build({ reasoning: { effort: "high" }, maxTokens: 3000 }).body).toMatchObject({ max_tokens: 3000, thinking: { budget_tokens: 2999 } });
    expect(refused(() => build({ reasoning: { effort: "low" }, maxTokens: 1000 })).details.param).toBe("max_tokens");
  });

  test("an explicit budget under 1024 or not under max_tokens is refused; without max_tokens, max_tokens makes room", () => {
    expect(refused(() => build({ reasoning: { budgetTokens: 500 } })).details.param).toBe("thinking");
    expect(refused(() => build({ reasoning: { budgetTokens: 4096 }, maxTokens: 4096 })).details.param).toBe("max_tokens");
    expect(build({ reasoning: { budgetTokens: 70000 } }).body.max_tokens).toBe(74096);
  });

  test("temperature is refused while thinking (dropped with drop_params); temperature 1 is the default and just left out", () => {
    expect(refused(() => build({ reasoning: { effort: "low" }, temperature: 0.7 })).details.param).toBe("temperature");
    expect("temperature" in build({ reasoning: { effort: "low" }, temperature: 0.7 }, DROP).body).toBe(false);
    expect("temperature" in build({ reasoning: { effort: "low" }, temperature: 1 }).body).toBe(false);
    expect(build({ temperature: 0.7 }).body.temperature).toBe(0.7);
  });

  test("top_k and a low top_p are refused while thinking; top_p >= 0.95 is sent", () => {
    expect(refused(() => build({ reasoning: { effort: "low" }, topK: 5 })).details.param).toBe("top_k");
    expect(refused(() => build({ reasoning: { effort: "low" }, topP: 0.5 })).details.param).toBe("top_p");
    expect(build({ reasoning: { effort: "low" }, topP: 0.97 }).body.top_p).toBe(0.97);
    const dropped = build({ reasoning: { effort: "low" }, topK: 5, topP: 0.5 }, DROP).body;
    expect("top_k" in dropped || "top_p" in dropped).toBe(false);
  });

  test("a forced tool call is refused while thinking (dropped with drop_params)", () => {
    expect(refused(() => build({ reasoning: { effort: "low" }, tools: [WEATHER], toolChoice: { type: "required" } })).details.param).toBe("tool_choice");
    const { body } = build({ reasoning: { effort: "low" }, tools: [WEATHER], toolChoice: { type: "required" } }, DROP);
    expect("tool_choice" in body).toBe(false);
    expect(body.thinking.type).toBe("enabled");
  });

  test("response_format with thinking is refused naming the reasoning field; with drop_params thinking goes and the format stays", () => {
    expect(refused(() => build({ reasoning: { effort: "medium" }, responseFormat: { type: "json_object" } })).details.param).toBe("reasoning_effort");
    expect(refused(() => build({ reasoning: { budgetTokens: 2000 }, responseFormat: { type: "json_object" } })).details.param).toBe("thinking");
    const { body } = build({ reasoning: { effort: "medium" }, responseFormat: { type: "json_object" } }, DROP);
    expect("thinking" in body).toBe(false);
    expect(body.tool_choice).toEqual({ type: "tool", name: "json_output" });
  });
});

describe("purity", () => {
  test("the caller's request is never mutated (deep-frozen input builds fine) and the body holds no bookkeeping keys", () => {
    const request = deepFreeze(
      chatRequest({
        messages: [
          system("sys"),
          user(""),
          { role: "assistant", content: [{ type: "text", text: " " }, { type: "tool-call", id: "toolu_1", name: "files.read", arguments: '{"path":"/a"}' }] },
          { role: "tool", content: [{ type: "tool-result", toolCallId: "toolu_1", content: [{ type: "text", text: "" }] }] },
        ],
        tools: [{ name: "files.read", parameters: {} }],
        hostedTools: [{ type: "web_search_20250305", name: "web_search" }],
        toolChoice: { type: "tool", name: "files.read" },
        responseFormat: { type: "json_object" },
        parallelToolCalls: false,
        providerOptions: { anthropic: { beta: ["a"] } },
        extra: { metadata: { user_id: "u" } },
      }),
    );
    const { upstream } = buildAnthropicRequest(request, TARGET, STRICT);
    const body = JSON.parse(upstream.body);
    expect(Object.keys(body).sort()).toEqual(["max_tokens", "messages", "metadata", "model", "system", "tool_choice", "tools"]);
    expect(upstream.body).not.toContain("reverse");
  });
});
