import { describe, expect, test } from "bun:test";
import { buildBedrockRequest } from "../../../src/providers/bedrock/request.ts";
import type { ChatRequest, ToolDefinition } from "../../../src/canonical/chat.ts";
import { build, chatRequest, CLAUDE, deepFreeze, DROP, NOVA, refused, STRICT, system, TARGET, user } from "./helpers.ts";

const WEATHER: ToolDefinition = { name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } };

describe("URL and headers", () => {
  test("Converse on the region's runtime host; the model id is one percent-encoded path segment", () => {
    expect(build().upstream.url).toBe("https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse");
    expect(build({ stream: true }).upstream.url).toBe("https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse-stream");
    const arn = "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-3-7-sonnet-20250219-v1:0";
    expect(build({}, STRICT, { ...TARGET, model: arn, region: "eu-west-1" }).upstream.url).toBe(
      "https://bedrock-runtime.eu-west-1.amazonaws.com/model/arn%3Aaws%3Abedrock%3Aeu-west-1%3A123456789012%3Ainference-profile%2Feu.anthropic.claude-3-7-sonnet-20250219-v1%3A0/converse",
    );
  });

  test("api_base replaces the host part; without it a region is required and must look like one", () => {
    expect(build({}, STRICT, { ...TARGET, apiBase: "https://vpce-0a1b.bedrock-runtime.us-east-1.vpce.amazonaws.com/" }).upstream.url).toBe(
      "https://vpce-0a1b.bedrock-runtime.us-east-1.vpce.amazonaws.com/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse",
    );
    expect(refused(() => build({}, STRICT, { model: CLAUDE, apiBase: "" })).code).toBe("gateway.internal");
    expect(refused(() => build({}, STRICT, { ...TARGET, region: "evil.com/x" })).message).toContain("not an AWS region name");
  });

  test("JSON in; JSON or event-stream out; a Bedrock API key as bearer; deployment headers lower-cased", () => {
    expect(build().upstream.headers).toEqual({ "content-type": "application/json", accept: "application/json" });
    expect(build({ stream: true }).upstream.headers.accept).toBe("application/vnd.amazon.eventstream");
    const keyed = build({}, STRICT, { ...TARGET, apiKey: "bedrock-api-key-ABSK123", headers: { "X-Team": "search" } }).upstream.headers;
    expect(keyed).toEqual({ "content-type": "application/json", accept: "application/json", authorization: "Bearer bedrock-api-key-ABSK123", "x-team": "search" });
  });
});

describe("inferenceConfig and additionalModelRequestFields", () => {
  test("max_tokens, temperature, top_p and stop map to inferenceConfig; top_k goes to Claude as additionalModelRequestFields.top_k", () => {
    const { body } = build({ maxTokens: 512, temperature: 0.3, topP: 0.9, topK: 40, stop: ["END", "\n\nHuman:"] });
    expect(body.inferenceConfig).toEqual({ maxTokens: 512, temperature: 0.3, topP: 0.9, stopSequences: ["END", "\n\nHuman:"] });
    expect(body.additionalModelRequestFields).toEqual({ top_k: 40 });
  });

  test("Claude gets its default max output when the client sets none; other models get none", () => {
    expect(build().body.inferenceConfig).toEqual({ maxTokens: 64000 });
    expect(build({}, STRICT, { ...TARGET, model: "anthropic.claude-3-5-haiku-20241022-v1:0" }).body.inferenceConfig).toEqual({ maxTokens: 8192 });
    expect("inferenceConfig" in build({}, STRICT, NOVA).body).toBe(false);
    expect(build({ maxTokens: 300 }, STRICT, NOVA).body.inferenceConfig).toEqual({ maxTokens: 300 });
  });

  test("top_k on a non-Claude model, seed, and Claude's blank stop sequences are refused by name, or dropped with drop_params", () => {
    expect(refused(() => build({ topK: 5 }, STRICT, NOVA)).details.param).toBe("top_k");
    expect("additionalModelRequestFields" in build({ topK: 5 }, DROP, NOVA).body).toBe(false);
    expect(refused(() => build({ seed: 7 })).details.param).toBe("seed");
    expect(refused(() => build({ stop: ["\n", "END"] })).details.param).toBe("stop");
    expect(build({ stop: ["\n", "END"] }, DROP).body.inferenceConfig.stopSequences).toEqual(["END"]);
    expect(build({ stop: ["\n"] }, STRICT, NOVA).body.inferenceConfig.stopSequences).toEqual(["\n"]);
  });

  test("reasoning on Claude -> thinking with a budget under maxTokens; sampling limits while thinking", () => {
    const { body } = build({ reasoning: { budgetTokens: 2048 } });
    expect(body.additionalModelRequestFields).toEqual({ thinking: { type: "enabled", budget_tokens: 2048 } });
    expect(body.inferenceConfig.maxTokens).toBe(64000);
    expect(build({ reasoning: { effort: "high" }, maxTokens: 3000 }).body).toMatchObject({ inferenceConfig: { maxTokens: 3000 }, additionalModelRequestFields: { thinking: { budget_tokens: 2999 } } });
    expect(refused(() => build({ reasoning: { effort: "low" }, temperature: 0.7 })).details.param).toBe("temperature");
    expect(refused(() => build({ reasoning: { effort: "low" }, topK: 5 })).details.param).toBe("top_k");
    expect(build({ reasoning: { effort: "low" }, topP: 0.97 }).body.inferenceConfig.topP).toBe(0.97);
    expect("additionalModelRequestFields" in build({ reasoning: { enabled: false, effort: "high" } }).body).toBe(false);
  });

  test("reasoning controls on a non-Claude model are refused, or dropped with drop_params", () => {
    expect(refused(() => build({ reasoning: { effort: "medium" } }, STRICT, NOVA)).details.param).toBe("reasoning_effort");
    expect("additionalModelRequestFields" in build({ reasoning: { effort: "medium" } }, DROP, NOVA).body).toBe(false);
  });

  test("the client's anthropic beta list rides along for Claude", () => {
    expect(build({ providerOptions: { anthropic: { beta: "interleaved-thinking-2025-05-14, context-1m-2025-08-07" } } }).body.additionalModelRequestFields).toEqual({
      anthropic_beta: ["interleaved-thinking-2025-05-14", "context-1m-2025-08-07"],
    });
  });
});

describe("toolConfig", () => {
  test("tools become toolSpecs with inputSchema.json; {} parameters get type object; duplicates are dropped; cache markers become cachePoints", () => {
    const { body } = build({ tools: [WEATHER, { name: "list_files", parameters: {}, cacheControl: { type: "ephemeral" } }, WEATHER] });
    expect(body.toolConfig).toEqual({
      tools: [
        { toolSpec: { name: "get_weather", description: "Weather for a city", inputSchema: { json: WEATHER.parameters } } },
        { toolSpec: { name: "list_files", inputSchema: { json: { type: "object", properties: {} } } } },
        { cachePoint: { type: "default" } },
      ],
    });
  });

  const choices: [ChatRequest["toolChoice"], unknown][] = [
    [{ type: "auto" }, { auto: {} }],
    [{ type: "required" }, { any: {} }],
    [{ type: "tool", name: "get_weather" }, { tool: { name: "get_weather" } }],
  ];
  for (const [choice, wire] of choices) {
    test(`tool_choice ${JSON.stringify(choice)} -> ${JSON.stringify(wire)}`, () => {
      expect(build({ tools: [WEATHER], toolChoice: choice }).body.toolConfig.toolChoice).toEqual(wire);
    });
  }

  const history = [user("Weather?"), { role: "assistant" as const, content: [{ type: "tool-call" as const, id: "t1", name: "get_weather", arguments: '{"city":"Oslo"}' }] }, { role: "tool" as const, content: [{ type: "tool-result" as const, toolCallId: "t1", content: "3°C" }] }];

  test("tool_choice none sends no tools; with tool calls in the history it is refused, or dropped (tools sent, model decides)", () => {
    expect("toolConfig" in build({ tools: [WEATHER], toolChoice: { type: "none" } }).body).toBe(false);
    expect(refused(() => build({ tools: [WEATHER], toolChoice: { type: "none" }, messages: history })).details.param).toBe("tool_choice");
    expect(build({ tools: [WEATHER], toolChoice: { type: "none" }, messages: history }, DROP).body.toolConfig).toEqual({ tools: [{ toolSpec: { name: "get_weather", description: "Weather for a city", inputSchema: { json: WEATHER.parameters } } }] });
  });

  test("a history with tool calls but no tools defined declares the called tools, since Converse requires toolConfig then", () => {
    expect(build({ messages: history }).body.toolConfig).toEqual({ tools: [{ toolSpec: { name: "get_weather", description: "A tool called earlier in this conversation.", inputSchema: { json: { type: "object" } } } }] });
  });

  test("a forced call without tools is refused; hosted tools and parallel_tool_calls false are refused, or dropped", () => {
    expect(refused(() => build({ toolChoice: { type: "required" } })).details.param).toBe("tool_choice");
    expect("toolConfig" in build({ toolChoice: { type: "auto" } }).body).toBe(false);
    expect(refused(() => build({ tools: [WEATHER], hostedTools: [{ type: "web_search_20250305", name: "web_search" }] })).details.param).toBe("tools");
    expect(refused(() => build({ tools: [WEATHER], parallelToolCalls: false })).details.param).toBe("parallel_tool_calls");
    expect(build({ tools: [WEATHER], parallelToolCalls: false, hostedTools: [{ type: "x", name: "y" }] }, DROP).body.toolConfig.tools).toHaveLength(1);
  });

  test("tool names Converse rejects are rewritten everywhere they appear; the reverse map is in the state and the upstream request", () => {
    const long = `a${"b".repeat(79)}`;
    const { body, state, upstream } = build({
      tools: [{ name: "files.read", parameters: {} }, { name: long, parameters: {} }],
      toolChoice: { type: "tool", name: "files.read" },
      messages: [user("x"), { role: "assistant", content: [{ type: "tool-call", id: "t", name: "files.read", arguments: "{}" }] }, { role: "tool", content: [{ type: "tool-result", toolCallId: "t", content: "ok" }] }],
    });
    const shortened = long.slice(0, 64);
    expect(body.toolConfig.tools.map((tool: { toolSpec: { name: string } }) => tool.toolSpec.name)).toEqual(["files_read", shortened]);
    expect(body.toolConfig.toolChoice).toEqual({ tool: { name: "files_read" } });
    expect(body.messages[1].content[0].toolUse.name).toBe("files_read");
    expect(state.reverseNames).toEqual(new Map([["files_read", "files.read"], [shortened, long]]));
    expect(upstream.reverseNames).toEqual(state.reverseNames);
  });
});

describe("response_format", () => {
  const schema = { type: "object", properties: { answer: { type: "number" } }, required: ["answer"] };

  test("json_schema -> a forced json_output tool whose input schema is the answer's; the state remembers it", () => {
    const { body, state } = build({ responseFormat: { type: "json_schema", name: "result", schema, description: "The result" } });
    expect(body.toolConfig).toEqual({ tools: [{ toolSpec: { name: "json_output", description: "The result", inputSchema: { json: schema } } }], toolChoice: { tool: { name: "json_output" } } });
    expect(state.jsonTool).toBe("json_output");
  });

  test("with client tools the model may call them or answer (any); a non-object root and thinking are refused", () => {
    expect(build({ tools: [WEATHER], responseFormat: { type: "json_object" } }).body.toolConfig.toolChoice).toEqual({ any: {} });
    expect(refused(() => build({ responseFormat: { type: "json_schema", name: "list", schema: { type: "array" } } })).details.param).toBe("response_format");
    expect(refused(() => build({ reasoning: { effort: "medium" }, responseFormat: { type: "json_object" } })).details.param).toBe("reasoning_effort");
    const dropped = build({ reasoning: { effort: "medium" }, responseFormat: { type: "json_object" } }, DROP).body;
    expect(dropped.additionalModelRequestFields).toBeUndefined();
    expect(dropped.toolConfig.toolChoice).toEqual({ tool: { name: "json_output" } });
  });
});

describe("extra parameters", () => {
  test("Converse fields are forwarded; additionalModelRequestFields merge under the gateway's; providerOptions.bedrock too", () => {
    const { body } = build({
      topK: 10,
      extra: { guardrailConfig: { guardrailIdentifier: "gr-1", guardrailVersion: "1", trace: "enabled" }, additionalModelRequestFields: { top_k: 99, inference_geo: "us" }, n: 1, presence_penalty: 0 },
      providerOptions: { bedrock: { performanceConfig: { latency: "optimized" } } },
    });
    expect(body.guardrailConfig).toEqual({ guardrailIdentifier: "gr-1", guardrailVersion: "1", trace: "enabled" });
    expect(body.performanceConfig).toEqual({ latency: "optimized" });
    expect(body.additionalModelRequestFields).toEqual({ top_k: 10, inference_geo: "us" });
    expect("n" in body || "presence_penalty" in body).toBe(false);
  });

  test("unknown parameters are refused by name, or dropped with drop_params", () => {
    expect(refused(() => build({ extra: { logit_bias: { "1": 2 } } })).details.param).toBe("logit_bias");
    expect("logit_bias" in build({ extra: { logit_bias: { "1": 2 } } }, DROP).body).toBe(false);
  });
});

describe("purity", () => {
  test("the caller's request is never mutated (deep-frozen input builds fine)", () => {
    const request = deepFreeze(
      chatRequest({
        messages: [
          system("sys"),
          user(""),
          { role: "assistant", content: [{ type: "text", text: " ", cacheControl: { type: "ephemeral" } }, { type: "tool-call", id: "t1", name: "files.read", arguments: '{"path":"/a"}' }] },
          { role: "tool", content: [{ type: "tool-result", toolCallId: "t1", content: [{ type: "text", text: "" }] }] },
        ],
        tools: [{ name: "files.read", parameters: {} }],
        toolChoice: { type: "tool", name: "files.read" },
        responseFormat: { type: "json_object" },
        extra: { requestMetadata: { team: "a" } },
      }),
    );
    const { upstream } = buildBedrockRequest(request, TARGET, STRICT);
    expect(Object.keys(JSON.parse(upstream.body)).sort()).toEqual(["inferenceConfig", "messages", "requestMetadata", "system", "toolConfig"]);
  });
});
