/**
 * `/bedrock/*` spans, as an OTLP receiver decodes them, for calls made with AWS's SDK: Converse and
 * InvokeModel (Anthropic bodies), whole and streamed, are LLM spans read from the native bodies
 * (messages, tool use, tokens with the cache breakdown, cost, generation settings); CountTokens is
 * a CHAIN span; and with redaction on (config or per request) a canary written into every
 * text-bearing field is in no attribute of any span.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  CountTokensCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  type Message,
} from "@aws-sdk/client-bedrock-runtime";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { Config } from "../../src/config/schema.ts";
import { Tracing } from "../../src/telemetry/tracing.ts";
import { startGateway, type TestGateway } from "../support/build-test-app.ts";
import { BEDROCK_CREDENTIALS, BEDROCK_REGION, CONVERSE_TEXT, INVOKE_TEXT, startMockBedrock, TOOL_USE, type MockBedrock } from "../support/mock-bedrock.ts";
import { exportedSpans, startOtlpReceiver, type DecodedSpan, type OtlpReceiver } from "../support/otlp-receiver.ts";

const MASTER = "sk-master-bedrock-trace-0001";
const CLAUDE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const ROUTE = `/bedrock/model/${CLAUDE.replace(":", "%3A")}`;
/** Written into every text-bearing field of the requests the redaction test sends. */
const CANARY = "CANARY-b3d70c-private-prompt";

let receiver: OtlpReceiver;
let mock: MockBedrock;
const gateways: TestGateway[] = [];

interface Traced {
  gateway: TestGateway;
  tracing: Tracing;
}

async function tracedGateway(redact: boolean): Promise<Traced> {
  const config: Config = {
    settings: { mock_models: false, env_provider_models: false },
    models: [
      {
        model_name: "claude-bedrock",
        model: `bedrock/${CLAUDE}`,
        api_base: mock.url,
        aws_access_key_id: BEDROCK_CREDENTIALS.accessKeyId,
        aws_secret_access_key: BEDROCK_CREDENTIALS.secretAccessKey,
        aws_session_token: BEDROCK_CREDENTIALS.sessionToken,
        aws_region_name: BEDROCK_REGION,
        price: { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 },
      },
    ],
  };
  const tracing = new Tracing({ endpoint: `${receiver.url}/v1/traces`, headers: {}, serviceName: "switchboard-bedrock-trace-test", redact, intervalMs: 20, exportTimeoutMs: 1_000 });
  const gateway = await startGateway(config, { tracing, masterKey: MASTER });
  gateways.push(gateway);
  return { gateway, tracing };
}

let plain: Traced;
let redacted: Traced;

beforeAll(async () => {
  receiver = startOtlpReceiver();
  mock = await startMockBedrock();
  plain = await tracedGateway(false);
  redacted = await tracedGateway(true);
});
afterAll(async () => {
  await Promise.all(gateways.map((g) => g.stop()));
  await mock.stop();
  await receiver.stop();
});

/** The SDK at a gateway (the master key as its access key), with extra request headers; `callIds` collects each answer's x-switchboard-call-id. */
function sdk(traced: Traced, headers: Record<string, string> = {}): { client: BedrockRuntimeClient; callIds: string[] } {
  const callIds: string[] = [];
  const client = new BedrockRuntimeClient({
    region: "us-east-1",
    endpoint: `${traced.gateway.origin}/bedrock`,
    credentials: { accessKeyId: MASTER, secretAccessKey: "unused" },
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler(),
  });
  client.middlewareStack.add(
    (next) => async (args) => {
      Object.assign((args.request as { headers: Record<string, string> }).headers, headers);
      const result = await next(args);
      const id = (result.response as { headers?: Record<string, string> }).headers?.["x-switchboard-call-id"];
      if (id) callIds.push(id);
      return result;
    },
    { step: "deserialize", name: "callIds" },
  );
  return { client, callIds };
}

/** The call's span, after the trace thread exported it. */
async function spanOf(traced: Traced, callId: string | undefined): Promise<DecodedSpan> {
  expect(callId).toBeTruthy();
  const [span] = await exportedSpans(receiver, () => traced.tracing.flush(), (s) => s.attributes["switchboard.call_id"] === callId, `the span of call ${callId}`);
  return span as DecodedSpan;
}

const traceOf = (span: DecodedSpan) => receiver.spans.filter((s) => s.traceId === span.traceId);
const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** A conversation with a tool round: a question, the model's tool use, its result. */
const conversation = (text: string): Message[] => [
  { role: "user", content: [{ text }] },
  { role: "assistant", content: [{ toolUse: { toolUseId: "tooluse_earlier", name: "get_weather", input: { city: text } } }] },
  { role: "user", content: [{ toolResult: { toolUseId: "tooluse_earlier", content: [{ text: `Sunny in ${text}` }] } }] },
];

describe("Bedrock model calls are LLM spans read from the native bodies", () => {
  test("Converse: system, messages with a tool round, the answer with its tool use, tokens with the cache breakdown, cost, settings", async () => {
    const { client, callIds } = sdk(plain);
    await client.send(new ConverseCommand({ modelId: CLAUDE, system: [{ text: "Be brief." }], messages: conversation("Paris"), inferenceConfig: { maxTokens: 64, temperature: 0.2 } }));
    const span = await spanOf(plain, callIds[0]);
    const a = span.attributes;
    expect(span.name).toBe(`POST ${ROUTE}/converse`);
    expect(a["openinference.span.kind"]).toBe("LLM");
    expect(a["llm.provider"]).toBe("aws");
    expect(a["llm.system"]).toBe("amazon");
    expect(a["llm.model_name"]).toBe(CLAUDE);
    expect(a["llm.input_messages.0.message.role"]).toBe("system");
    expect(a["llm.input_messages.0.message.content"]).toBe("Be brief.");
    expect(a["llm.input_messages.1.message.contents.0.message_content.text"]).toBe("Paris");
    expect(a["llm.input_messages.2.message.tool_calls.0.tool_call.function.name"]).toBe("get_weather");
    expect(a["llm.input_messages.3.message.role"]).toBe("tool");
    expect(a["llm.input_messages.3.message.tool_call_id"]).toBe("tooluse_earlier");
    expect(a["llm.input_messages.3.message.content"]).toBe("Sunny in Paris");
    expect(a["llm.output_messages.0.message.content"]).toBe(CONVERSE_TEXT);
    expect(a["llm.output_messages.0.message.tool_calls.0.tool_call.id"]).toBe(TOOL_USE.toolUseId);
    expect(JSON.parse(a["llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments"] as string)).toEqual(TOOL_USE.input);
    expect(JSON.parse(a["llm.invocation_parameters"] as string)).toEqual({ inferenceConfig: { maxTokens: 64, temperature: 0.2 } });
    expect(a["llm.token_count.prompt"]).toBe(112);
    expect(a["llm.token_count.completion"]).toBe(7);
    expect(a["llm.token_count.prompt_details.cache_read"]).toBe(96);
    expect(a["llm.token_count.prompt_details.cache_write"]).toBe(4);
    expect(a["llm.cost.total"]).toBeCloseTo(184.8 / 1e6, 12);
    expect(a["input.value"]).toContain("Be brief.");
    expect(a["switchboard.passthrough.unread"]).toBeUndefined();
    expect(traceOf(span).filter((s) => s.parentSpanId === span.spanId).map((s) => s.attributes["switchboard.deployment"])).toEqual(["claude-bedrock"]);
  });

  test("ConverseStream: the answer assembled from its events, the tool use's input from its fragments", async () => {
    const { client, callIds } = sdk(plain);
    const answer = await client.send(new ConverseStreamCommand({ modelId: CLAUDE, messages: conversation("Oslo") }));
    for await (const _ of answer.stream ?? []) void _;
    const a = (await spanOf(plain, callIds[0])).attributes;
    expect(a["openinference.span.kind"]).toBe("LLM");
    expect(a["llm.output_messages.0.message.content"]).toBe(CONVERSE_TEXT);
    expect(a["llm.output_messages.0.message.tool_calls.0.tool_call.function.name"]).toBe(TOOL_USE.name);
    expect(JSON.parse(a["llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments"] as string)).toEqual(TOOL_USE.input);
    expect(a["llm.token_count.prompt_details.cache_write"]).toBe(4);
  });

  test("InvokeModel with an Anthropic body, whole and streamed: read as Anthropic's Messages", async () => {
    const { client, callIds } = sdk(plain);
    const body = bytes({ anthropic_version: "bedrock-2023-05-31", max_tokens: 64, temperature: 0.5, system: "Be brief.", messages: [{ role: "user", content: "Say hello." }] });
    await client.send(new InvokeModelCommand({ modelId: CLAUDE, contentType: "application/json", body }));
    const answer = await client.send(new InvokeModelWithResponseStreamCommand({ modelId: CLAUDE, contentType: "application/json", body }));
    for await (const _ of answer.body ?? []) void _;
    for (const [n, suffix] of [[0, "invoke"], [1, "invoke-with-response-stream"]] as const) {
      const span = await spanOf(plain, callIds[n]);
      const a = span.attributes;
      expect(span.name).toBe(`POST ${ROUTE}/${suffix}`);
      expect(a["openinference.span.kind"]).toBe("LLM");
      expect(a["llm.input_messages.0.message.content"]).toBe("Be brief.");
      expect(a["llm.input_messages.1.message.content"]).toBe("Say hello.");
      expect(a["llm.output_messages.0.message.content"]).toBe(INVOKE_TEXT);
      expect(JSON.parse(a["llm.invocation_parameters"] as string)).toEqual({ max_tokens: 64, temperature: 0.5 });
      expect(a["llm.token_count.prompt"]).toBe(1029);
      expect(a["llm.token_count.prompt_details.cache_read"]).toBe(1000);
      expect(a["llm.cost.total"]).toBeCloseTo(528 / 1e6, 12);
    }
  });

  test("CountTokens is a CHAIN span with no body", async () => {
    const { client, callIds } = sdk(plain);
    await client.send(new CountTokensCommand({ modelId: CLAUDE, input: { converse: { messages: conversation("Rome") } } }));
    const span = await spanOf(plain, callIds[0]);
    expect(span.attributes["openinference.span.kind"]).toBe("CHAIN");
    expect(span.attributes["llm.model_name"]).toBe(CLAUDE);
    expect(Object.keys(span.attributes).filter((name) => /messages|input\.value|output\.value|invocation/.test(name))).toEqual([]);
  });
});

describe("redaction: no part of a native Bedrock body is exported", () => {
  /** Every call, every text-bearing field holding the canary; the call ids of their spans. */
  async function callAll(traced: Traced, headers: Record<string, string>): Promise<string[]> {
    const { client, callIds } = sdk(traced, headers);
    const toolConfig = { tools: [{ toolSpec: { name: "get_weather", description: `Tool ${CANARY}`, inputSchema: { json: { type: "object", description: CANARY } } } }] };
    const converse = { modelId: CLAUDE, system: [{ text: `System ${CANARY}` }], messages: conversation(CANARY), toolConfig, requestMetadata: { note: CANARY } };
    await client.send(new ConverseCommand(converse));
    for await (const _ of (await client.send(new ConverseStreamCommand(converse))).stream ?? []) void _;
    const invoke = bytes({ anthropic_version: "bedrock-2023-05-31", max_tokens: 64, system: `System ${CANARY}`, metadata: { user_id: CANARY }, messages: [{ role: "user", content: `User ${CANARY}` }] });
    await client.send(new InvokeModelCommand({ modelId: CLAUDE, contentType: "application/json", body: invoke }));
    for await (const _ of (await client.send(new InvokeModelWithResponseStreamCommand({ modelId: CLAUDE, contentType: "application/json", body: invoke }))).body ?? []) void _;
    expect(callIds).toHaveLength(4);
    return callIds;
  }

  /** Every exported attribute, status and resource of the calls' traces, as one text. */
  async function exported(traced: Traced, callIds: string[]): Promise<{ text: string; spans: DecodedSpan[] }> {
    const spans: DecodedSpan[] = [];
    for (const id of callIds) spans.push(...traceOf(await spanOf(traced, id)));
    const text = JSON.stringify(spans.map((s) => ({ name: s.name, attributes: s.attributes, status: s.status, resource: s.resource })), (_key, value) => (typeof value === "bigint" ? String(value) : value));
    return { text, spans };
  }

  test("without redaction the same calls do export the canary (the sweep below can fail)", async () => {
    const { text } = await exported(plain, await callAll(plain, {}));
    expect(text.split(CANARY).length - 1).toBeGreaterThanOrEqual(4);
  });

  for (const [how, traced, headers] of [
    ["by config", () => redacted, {}],
    ["by x-switchboard-redact", () => plain, { "x-switchboard-redact": "true" }],
  ] as const) {
    test(`${how}: the canary and the answers are in no attribute of any span; counts, model, cost and settings stay`, async () => {
      const { text, spans } = await exported(traced(), await callAll(traced(), headers));
      expect(text).not.toContain(CANARY);
      for (const answer of [CONVERSE_TEXT, INVOKE_TEXT, "Hello from ", "Paris"]) expect(text).not.toContain(answer);
      const calls = spans.filter((s) => s.attributes["openinference.span.kind"] === "LLM");
      expect(calls).toHaveLength(4);
      for (const span of calls) {
        expect(span.attributes["llm.model_name"]).toBe(CLAUDE);
        expect(span.attributes["llm.token_count.prompt"]).toBeGreaterThan(0);
        expect(span.attributes["llm.cost.total"]).toBeGreaterThan(0);
        expect(span.attributes["input.value"]).toBe("__REDACTED__");
      }
      expect(text).not.toContain(MASTER);
      expect(text).not.toContain(BEDROCK_CREDENTIALS.secretAccessKey);
    });
  }
});
