/**
 * Pass-through spans, as an OTLP receiver decodes them: model calls are LLM (or EMBEDDING) spans
 * read from the native bodies, whatever the wire; calls of no model are CHAIN spans without
 * bodies; a body that is not JSON costs only its own attributes and says so; and with redaction
 * on (config or per request) no part of a native body is exported anywhere: a canary is swept for
 * in every attribute of every span.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import type { Config } from "../../src/config/schema.ts";
import { Tracing } from "../../src/telemetry/tracing.ts";
import { startGateway, type TestGateway } from "../support/build-test-app.ts";
import { startMockAnthropic, THINKING_USAGE, TOOL_INPUTS, TOOL_USE_IDS, TOOLS_PREAMBLE, type MockAnthropic } from "../support/mock-anthropic.ts";
import { CHAT_TEXT, COHERE_TEXT, GEMINI_CALL, GEMINI_TEXT, RESPONSES_TEXT, startMockNative, type MockNative } from "../support/mock-native.ts";
import type { TestAccount } from "../fixtures/vertex/google-mock.ts";
import { startMockVertex, type MockVertex } from "../support/mock-vertex.ts";
import { exportedSpans, startOtlpReceiver, type DecodedSpan, type OtlpReceiver } from "../support/otlp-receiver.ts";

const MASTER = "sk-master-passthrough-trace-0001";
const UPSTREAM_KEY = "sk-upstream-passthrough-trace-0002";
/** Written into every text-bearing field of the requests the redaction test sends. */
const CANARY = "CANARY-7f3a9e-private-prompt";

let receiver: OtlpReceiver;
let anthropicMock: MockAnthropic;
let native: MockNative;
let vertex: MockVertex;
let vertexAccount: TestAccount;
const gateways: TestGateway[] = [];

const config = (): Config => ({
  settings: { mock_models: false, env_provider_models: false },
  models: [
    { model_name: "claude/*", model: "anthropic/*", api_base: anthropicMock.url, api_key: UPSTREAM_KEY, price: { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 } },
    { model_name: "flash", model: "gemini/gemini-2.0-flash", api_base: `${native.url}/v1beta`, api_key: UPSTREAM_KEY },
    { model_name: "o4", model: "openai/o4-mini", api_base: `${native.url}/v1`, api_key: UPSTREAM_KEY, use_in_pass_through: true },
    { model_name: "mistral/*", model: "mistral/*", api_base: `${native.url}/v1`, api_key: UPSTREAM_KEY },
    { model_name: "vertex/*", model: "vertex_ai/*", api_base: vertex.url, vertex_credentials: vertexAccount.json, vertex_project: "trace-project", vertex_location: "us-east5", price: { input: 3, output: 15 } },
  ],
  pass_through_endpoints: [
    { path: "/custom", target: `${native.url}/base`, include_subpath: true, headers: { "x-service-key": UPSTREAM_KEY }, cost_per_request: 0.01 },
    { path: "/open", target: `${native.url}/open`, auth: false },
  ],
});

interface Traced {
  gateway: TestGateway;
  tracing: Tracing;
}

async function tracedGateway(redact: boolean): Promise<Traced> {
  const tracing = new Tracing({ endpoint: `${receiver.url}/v1/traces`, headers: {}, serviceName: "switchboard-passthrough-test", redact, intervalMs: 20, exportTimeoutMs: 1_000 });
  const gateway = await startGateway(config(), { tracing, masterKey: MASTER, env: { COHERE_API_KEY: UPSTREAM_KEY, COHERE_API_BASE: native.url } });
  gateways.push(gateway);
  return { gateway, tracing };
}

let plain: Traced;
let redacted: Traced;

beforeAll(async () => {
  receiver = startOtlpReceiver();
  anthropicMock = await startMockAnthropic();
  native = await startMockNative();
  vertex = await startMockVertex();
  vertexAccount = await vertex.account("trace");
  plain = await tracedGateway(false);
  redacted = await tracedGateway(true);
});
afterAll(async () => {
  await Promise.all(gateways.map((g) => g.stop()));
  await anthropicMock.stop();
  await native.stop();
  await vertex.stop();
  await receiver.stop();
});

/** The call's span, after the trace thread exported it. */
async function spanOf(traced: Traced, callId: string | null): Promise<DecodedSpan> {
  expect(callId).toBeTruthy();
  const [span] = await exportedSpans(receiver, () => traced.tracing.flush(), (s) => s.attributes["switchboard.call_id"] === callId, `the span of call ${callId}`);
  return span as DecodedSpan;
}

/** Every span of a call's trace: the call's and its upstream attempts'. */
const traceOf = (span: DecodedSpan) => receiver.spans.filter((s) => s.traceId === span.traceId);
const post = (traced: Traced, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${traced.gateway.origin}${path}`, { method: "POST", headers: { authorization: `Bearer ${MASTER}`, "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
const anthropic = (traced: Traced) => new Anthropic({ baseURL: `${traced.gateway.origin}/anthropic`, apiKey: MASTER, maxRetries: 0 });
const WEATHER_TOOL = { name: "get_weather", description: "The weather in a city", input_schema: { type: "object" as const, properties: { city: { type: "string" } } } };

describe("model calls are LLM spans read from the native bodies", () => {
  test("Anthropic Messages: messages in and out, tool calls, tokens with the cache breakdown, cost, parameters", async () => {
    const { response } = await anthropic(plain)
      .messages.create({ model: "tools", max_tokens: 256, service_tier: "auto", system: "Be brief.", tools: [WEATHER_TOOL], messages: [{ role: "user", content: "Weather in Paris and Tokyo?" }] })
      .withResponse();
    const span = await spanOf(plain, response.headers.get("x-switchboard-call-id"));
    const a = span.attributes;
    expect(span.name).toBe("POST /anthropic/v1/messages");
    expect(a["openinference.span.kind"]).toBe("LLM");
    expect(a["llm.provider"]).toBe("anthropic");
    expect(a["llm.system"]).toBe("anthropic");
    expect(a["llm.model_name"]).toBe("tools");
    expect(a["switchboard.route"]).toBe("POST /anthropic/v1/messages");
    expect(a["llm.input_messages.0.message.role"]).toBe("system");
    expect(a["llm.input_messages.0.message.content"]).toBe("Be brief.");
    expect(a["llm.input_messages.1.message.content"]).toBe("Weather in Paris and Tokyo?");
    expect(a["llm.output_messages.0.message.content"]).toBe(TOOLS_PREAMBLE);
    expect(a["llm.output_messages.0.message.tool_calls.0.tool_call.id"]).toBe(TOOL_USE_IDS[0]);
    expect(a["llm.output_messages.0.message.tool_calls.0.tool_call.function.name"]).toBe("get_weather");
    expect(JSON.parse(a["llm.output_messages.0.message.tool_calls.1.tool_call.function.arguments"] as string)).toEqual(TOOL_INPUTS[1]);
    expect(JSON.parse(a["llm.tools.0.tool.json_schema"] as string)).toMatchObject({ name: "get_weather" });
    expect(JSON.parse(a["llm.invocation_parameters"] as string)).toEqual({ max_tokens: 256, service_tier: "auto" });
    expect(a["llm.token_count.prompt"]).toBe(412);
    expect(a["llm.token_count.completion"]).toBe(104);
    expect(a["llm.cost.total"]).toBeCloseTo((412 * 3 + 104 * 15) / 1e6, 12);
    expect(a["input.value"]).toContain("Weather in Paris and Tokyo?");
    expect(traceOf(span).filter((s) => s.parentSpanId === span.spanId).map((s) => s.name)).toEqual(["upstream claude/*"]);
  });

  test("an Anthropic stream: the answer assembled from its events, cache writes counted", async () => {
    const stream = anthropic(plain).messages.stream({ model: "thinking", max_tokens: 4096, thinking: { type: "enabled", budget_tokens: 2048 }, messages: [{ role: "user", content: "27 * 453?" }] });
    await stream.finalMessage();
    const callId = (await stream.withResponse()).response.headers.get("x-switchboard-call-id");
    const a = (await spanOf(plain, callId)).attributes;
    expect(a["openinference.span.kind"]).toBe("LLM");
    expect(a["llm.output_messages.0.message.content"]).toBe("27 * 453 = 12,231.");
    expect(a["llm.token_count.prompt"]).toBe(THINKING_USAGE.input_tokens + THINKING_USAGE.cache_creation_input_tokens);
    expect(a["llm.token_count.prompt_details.cache_write"]).toBe(THINKING_USAGE.cache_creation_input_tokens);
  });

  test("Gemini generateContent, whole and as a JSON-array stream: contents in, text and function calls out", async () => {
    const body = { systemInstruction: { parts: [{ text: "Be brief." }] }, contents: [{ role: "user", parts: [{ text: "Hello Gemini" }] }], generationConfig: { temperature: 0.5, maxOutputTokens: 64 } };
    for (const method of ["generateContent", "streamGenerateContent"]) {
      const response = await post(plain, `/gemini/v1beta/models/gemini-2.0-flash:${method}`, body);
      await response.text();
      const a = (await spanOf(plain, response.headers.get("x-switchboard-call-id"))).attributes;
      expect(`${method}: ${a["openinference.span.kind"]}`).toBe(`${method}: LLM`);
      expect(a["llm.provider"]).toBe("google");
      expect(a["llm.input_messages.0.message.role"]).toBe("system");
      expect(a["llm.input_messages.1.message.content"]).toBe("Hello Gemini");
      expect(a["llm.output_messages.0.message.content"]).toBe(GEMINI_TEXT);
      expect(a["llm.output_messages.0.message.tool_calls.0.tool_call.function.name"]).toBe(GEMINI_CALL.name);
      expect(JSON.parse(a["llm.invocation_parameters"] as string)).toEqual({ generationConfig: { temperature: 0.5, maxOutputTokens: 64 } });
      expect(a["llm.token_count.prompt"]).toBe(31);
      expect(a["llm.token_count.prompt_details.cache_read"]).toBe(16);
      expect(a["llm.token_count.completion_details.reasoning"]).toBe(4);
    }
  });

  test("OpenAI's Responses API and Cohere's chat, each by its own wire", async () => {
    const responses = await post(plain, "/openai/v1/responses", { model: "o4-mini", instructions: "Be brief.", input: "Hello Responses", reasoning: { effort: "low" } });
    await responses.text();
    const r = (await spanOf(plain, responses.headers.get("x-switchboard-call-id"))).attributes;
    expect(r["llm.input_messages.0.message.content"]).toBe("Be brief.");
    expect(r["llm.input_messages.1.message.content"]).toBe("Hello Responses");
    expect(r["llm.output_messages.0.message.content"]).toBe(RESPONSES_TEXT);
    expect(r["llm.output_messages.0.message.tool_calls.0.tool_call.function.name"]).toBe("get_weather");
    expect(r["llm.token_count.prompt_details.cache_read"]).toBe(32);
    expect(JSON.parse(r["llm.invocation_parameters"] as string)).toEqual({ reasoning: { effort: "low" } });
    const cohere = await post(plain, "/cohere/v2/chat", { model: "command-r-plus", messages: [{ role: "user", content: "Hello Cohere" }], stream: true });
    await cohere.text();
    const c = (await spanOf(plain, cohere.headers.get("x-switchboard-call-id"))).attributes;
    expect(c["llm.provider"]).toBe("cohere");
    expect(c["llm.input_messages.0.message.content"]).toBe("Hello Cohere");
    expect(c["llm.output_messages.0.message.content"]).toBe(COHERE_TEXT);
    expect(c["llm.token_count.prompt"]).toBe(14);
  });
});

describe("Vertex AI: its Gemini, Claude and embedding bodies read by their wires", () => {
  const at = "/vertex_ai/v1/projects/p/locations/us-east5/publishers";

  test("Gemini's generateContent and Claude's streamRawPredict are LLM spans; a text embedding an EMBEDDING span", async () => {
    const gemini = await post(plain, `${at}/google/models/gemini-2.0-flash:generateContent`, { contents: [{ role: "user", parts: [{ text: "Hello Vertex" }] }], generationConfig: { temperature: 0.2 } });
    await gemini.text();
    const g = await spanOf(plain, gemini.headers.get("x-switchboard-call-id"));
    expect(g.name).toBe(`POST ${at}/google/models/gemini-2.0-flash:generateContent`);
    expect(g.attributes).toMatchObject({ "openinference.span.kind": "LLM", "llm.provider": "google", "llm.system": "vertexai", "llm.model_name": "gemini-2.0-flash" });
    expect(g.attributes["llm.input_messages.0.message.content"]).toBe("Hello Vertex");
    expect(g.attributes["llm.output_messages.0.message.content"]).toBe(GEMINI_TEXT);
    expect(g.attributes["llm.output_messages.0.message.tool_calls.0.tool_call.function.name"]).toBe(GEMINI_CALL.name);
    expect(g.attributes["llm.token_count.prompt_details.cache_read"]).toBe(16);
    expect(g.attributes["llm.token_count.completion_details.reasoning"]).toBe(4);
    expect(JSON.parse(g.attributes["llm.invocation_parameters"] as string)).toEqual({ generationConfig: { temperature: 0.2 } });

    const claude = await post(plain, `${at}/anthropic/models/claude-tools@20250929:streamRawPredict`, { anthropic_version: "vertex-2023-10-16", max_tokens: 256, stream: true, tools: [WEATHER_TOOL], messages: [{ role: "user", content: "Weather in Paris and Tokyo?" }] });
    await claude.text();
    const c = (await spanOf(plain, claude.headers.get("x-switchboard-call-id"))).attributes;
    expect(c["openinference.span.kind"]).toBe("LLM");
    expect(c["llm.model_name"]).toBe("claude-tools@20250929");
    expect(c["llm.input_messages.0.message.content"]).toBe("Weather in Paris and Tokyo?");
    expect(c["llm.output_messages.0.message.content"]).toBe(TOOLS_PREAMBLE);
    expect(c["llm.output_messages.0.message.tool_calls.1.tool_call.id"]).toBe(TOOL_USE_IDS[1]);
    expect(c["llm.token_count.prompt"]).toBe(412);
    expect(c["llm.cost.total"]).toBeCloseTo((412 * 3 + 104 * 15) / 1e6, 12);

    const embed = await post(plain, `${at}/google/models/text-embedding-005:predict`, { instances: [{ content: "first text" }, { content: "second text" }], parameters: { outputDimensionality: 3 } });
    await embed.text();
    const e = (await spanOf(plain, embed.headers.get("x-switchboard-call-id"))).attributes;
    expect(e["openinference.span.kind"]).toBe("EMBEDDING");
    expect(e["embedding.model_name"]).toBe("text-embedding-005");
    expect(e["embedding.embeddings.1.embedding.text"]).toBe("second text");
    expect(e["llm.token_count.prompt"]).toBe(12);
    expect(JSON.parse(e["llm.invocation_parameters"] as string)).toEqual({ parameters: { outputDimensionality: 3 } });
  });
});

describe("calls of no model, and bodies that are not JSON", () => {
  test("a files listing is a CHAIN span with no bodies; a token count too", async () => {
    const list = await fetch(`${plain.gateway.origin}/openai/v1/files`, { headers: { authorization: `Bearer ${MASTER}` } });
    const span = await spanOf(plain, list.headers.get("x-switchboard-call-id"));
    expect(span.name).toBe("GET /openai/v1/files");
    expect(span.attributes["openinference.span.kind"]).toBe("CHAIN");
    expect(Object.keys(span.attributes).filter((name) => /messages|input\.value|output\.value|invocation/.test(name))).toEqual([]);
    const counted = await anthropic(plain).messages.countTokens({ model: "text", messages: [{ role: "user", content: "count me" }] }).withResponse();
    const count = await spanOf(plain, counted.response.headers.get("x-switchboard-call-id"));
    expect(count.attributes["openinference.span.kind"]).toBe("CHAIN");
    expect(count.attributes["llm.model_name"]).toBe("text");
  });

  test("a config endpoint's call is a CHAIN span named by its route, with no body; a public one's too, without a key", async () => {
    const keyed = await post(plain, "/custom/v1/run?x=1", { prompt: CANARY, model: "some-model" });
    expect(keyed.status).toBe(200);
    const span = await spanOf(plain, keyed.headers.get("x-switchboard-call-id"));
    expect(span.name).toBe("POST /custom/v1/run");
    expect(span.attributes["openinference.span.kind"]).toBe("CHAIN");
    expect(span.attributes["switchboard.route"]).toBe("POST /custom/v1/run");
    const open = await fetch(`${plain.gateway.origin}/open`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: CANARY }) });
    expect(open.status).toBe(200);
    const openSpan = await spanOf(plain, open.headers.get("x-switchboard-call-id"));
    expect(openSpan.name).toBe("POST /open");
    expect(openSpan.attributes["openinference.span.kind"]).toBe("CHAIN");
    for (const s of [span, openSpan]) {
      expect(Object.keys(s.attributes).filter((name) => /messages|input\.value|output\.value|invocation/.test(name))).toEqual([]);
      expect(JSON.stringify(s.attributes)).not.toContain(CANARY);
      expect(JSON.stringify(s.attributes)).not.toContain(UPSTREAM_KEY);
    }
  });

  test("a model call with a form body or an answer that is not JSON keeps its kind and says what is missing", async () => {
    const form = new FormData();
    form.set("model", "mistral-small");
    form.set("messages", "not json");
    const formCall = await fetch(`${plain.gateway.origin}/mistral/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${MASTER}` }, body: form });
    await formCall.text();
    const f = (await spanOf(plain, formCall.headers.get("x-switchboard-call-id"))).attributes;
    expect(f["openinference.span.kind"]).toBe("LLM");
    expect(f["input.value"]).toBeUndefined();
    expect((f["switchboard.passthrough.unread"] as string[]).join(" ")).toContain("the request body is not JSON (multipart/form-data");
    const garbled = await post(plain, "/mistral/v1/chat/completions", { model: "garbled", messages: [{ role: "user", content: "hi" }] });
    expect(await garbled.text()).toContain("not an answer");
    const g = (await spanOf(plain, garbled.headers.get("x-switchboard-call-id"))).attributes;
    expect(g["openinference.span.kind"]).toBe("LLM");
    expect(g["llm.input_messages.0.message.content"]).toBe("hi");
    expect(g["llm.output_messages.0.message.content"]).toBeUndefined();
    expect(g["switchboard.passthrough.unread"]).toEqual(["the answer is not a JSON object"]);
  });
});

describe("redaction: no part of a native body is exported", () => {
  const requests = (traced: Traced, headers: Record<string, string>) => [
    anthropic(traced)
      .messages.create(
        {
          model: "tools",
          max_tokens: 128,
          system: `System ${CANARY}`,
          metadata: { user_id: CANARY },
          tools: [{ ...WEATHER_TOOL, description: `Tool ${CANARY}` }],
          messages: [{ role: "user", content: `User ${CANARY}` }],
        },
        { headers },
      )
      .withResponse()
      .then(({ response }) => response),
    post(
      traced,
      "/gemini/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse",
      {
        systemInstruction: { parts: [{ text: CANARY }] },
        contents: [{ role: "user", parts: [{ text: CANARY }] }],
        cachedContent: CANARY,
        // Generation settings that carry the caller's text: a schema's descriptions, stop sequences.
        generationConfig: { temperature: 0.2, stopSequences: [CANARY], responseMimeType: "application/json", responseSchema: { type: "OBJECT", description: CANARY } },
      },
      headers,
    ),
    post(traced, "/openai/v1/responses", { model: "o4-mini", instructions: CANARY, input: [{ role: "user", content: [{ type: "input_text", text: CANARY }] }], metadata: { note: CANARY }, tool_choice: { type: "function", name: CANARY } }, headers),
    post(traced, "/cohere/v2/chat", { model: "command-r-plus", messages: [{ role: "user", content: CANARY }], documents: [{ data: { text: CANARY } }] }, headers),
    post(traced, "/openai/v1/embeddings", { model: "o4-mini", input: CANARY }, headers),
    post(traced, "/vertex_ai/v1/projects/p/locations/l/publishers/google/models/gemini-2.0-flash:streamGenerateContent", { systemInstruction: { parts: [{ text: CANARY }] }, contents: [{ role: "user", parts: [{ text: CANARY }] }] }, headers),
    post(traced, "/vertex_ai/v1/projects/p/locations/l/publishers/anthropic/models/claude-tools@20250929:rawPredict", { anthropic_version: "vertex-2023-10-16", max_tokens: 128, system: CANARY, tools: [{ ...WEATHER_TOOL, description: CANARY }], messages: [{ role: "user", content: CANARY }] }, headers),
    post(traced, "/vertex_ai/v1/projects/p/locations/l/publishers/google/models/text-embedding-005:predict", { instances: [{ content: CANARY }] }, headers),
  ];

  test("without redaction the same requests do export the canary (the sweep below can fail)", async () => {
    const answers = await Promise.all(requests(plain, {}));
    let exported = "";
    for (const answer of answers) {
      await answer.text().catch(() => "");
      exported += JSON.stringify((await spanOf(plain, answer.headers.get("x-switchboard-call-id"))).attributes);
    }
    expect(exported.split(CANARY).length - 1).toBeGreaterThanOrEqual(answers.length);
  });

  for (const [how, traced, headers] of [
    ["by config", () => redacted, {}],
    ["by x-switchboard-redact", () => plain, { "x-switchboard-redact": "true" }],
  ] as const) {
    test(`${how}: the canary is in no attribute of any span; counts, model and cost stay`, async () => {
      const answers = await Promise.all(requests(traced(), headers));
      const spans: DecodedSpan[] = [];
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        await answer.text().catch(() => "");
        const span = await spanOf(traced(), answer.headers.get("x-switchboard-call-id"));
        spans.push(...traceOf(span));
      }
      const exported = JSON.stringify(spans.map((s) => ({ name: s.name, attributes: s.attributes, status: s.status, resource: s.resource })), (_key, value) => (typeof value === "bigint" ? String(value) : value));
      expect(exported).not.toContain(CANARY);
      for (const answer of [TOOLS_PREAMBLE, GEMINI_TEXT, RESPONSES_TEXT, COHERE_TEXT, CHAT_TEXT]) expect(exported).not.toContain(answer);
      const anthropicSpan = spans.find((s) => s.name === "POST /anthropic/v1/messages");
      expect(anthropicSpan?.attributes["openinference.span.kind"]).toBe("LLM");
      expect(anthropicSpan?.attributes["llm.token_count.prompt"]).toBe(412);
      expect(anthropicSpan?.attributes["llm.cost.total"]).toBeGreaterThan(0);
      expect(anthropicSpan?.attributes["input.value"]).toBe("__REDACTED__");
      // The generation settings stay, less what may be the caller's text.
      const geminiSpan = spans.find((s) => s.name.startsWith("POST /gemini/"));
      expect(JSON.parse(geminiSpan?.attributes["llm.invocation_parameters"] as string)).toEqual({ generationConfig: { temperature: 0.2 } });
      for (const secret of [MASTER, UPSTREAM_KEY]) expect(JSON.stringify(receiver.spans.map((s) => s.attributes))).not.toContain(secret);
    });
  }
});
