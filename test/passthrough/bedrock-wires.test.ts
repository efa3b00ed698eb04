/**
 * The Bedrock route's parts on their own: what a request is (classify), where its credential comes
 * from (deployments, a gateway name in the path, the environment), usage from every shape of
 * answer and stream (event streams replayed whole, split at every byte and at random), span
 * messages of the other InvokeModel bodies (Nova, Llama), and AWS-shape errors.
 */
import { describe, expect, test } from "bun:test";
import { OPEN_CALLER, type Caller } from "../../src/auth/caller.ts";
import { GatewayError } from "../../src/canonical/errors.ts";
import type { Config } from "../../src/config/schema.ts";
import { chooseUpstream, namedModel } from "../../src/passthrough/policy.ts";
import { bedrockPassthrough } from "../../src/passthrough/providers/bedrock.ts";
import { PASSTHROUGH_PROVIDERS } from "../../src/passthrough/registry.ts";
import { PassthroughUpstreams, passthroughSettings } from "../../src/passthrough/upstreams.ts";
import { WIRE_READERS, type AnswerReading } from "../../src/passthrough/usage.ts";
import { embeddedPrices } from "../../src/pricing/load.ts";
import { makePricer } from "../../src/pricing/pricer.ts";
import { buildModelTable } from "../../src/router/models.ts";
import type { KeyRecord } from "../../src/store/types.ts";
import { AwsEventStreamDecoder } from "../../src/streams/aws-eventstream.ts";
import type { NativeWire } from "../../src/telemetry/native-wire.ts";
import { WIRE_MESSAGES } from "../../src/telemetry/openinference-native.ts";
import { encodeEvents, type StreamEvent } from "../conformance/providers/bedrock-answers.ts";
import { seeded, splitRandomly, splitsAtEveryByte } from "../support/rechunk.ts";

const CLAUDE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const ARN = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123";
const embeddedPricer = makePricer(embeddedPrices(), { sources: [] });
const classify = (path: string, fields?: Record<string, unknown>, method = "POST") => bedrockPassthrough.classify({ method, path, fields });

describe("what a Bedrock request is", () => {
  test("the runtime's model calls, by action; the model id from the path, an ARN's '/' included", () => {
    expect(classify(`model/${CLAUDE}/converse`, { inferenceConfig: { maxTokens: 300 } })).toEqual({ kind: "generate", stream: false, wire: "bedrock-converse", pathModel: CLAUDE, maxOutputTokens: 300 });
    expect(classify(`model/${ARN}/converse-stream`)).toEqual({ kind: "generate", stream: true, wire: "bedrock-converse", pathModel: ARN });
    expect(classify(`model/${CLAUDE}/invoke`, { anthropic_version: "bedrock-2023-05-31", max_tokens: 10 })).toEqual({ kind: "generate", stream: false, wire: "bedrock-invoke", pathModel: CLAUDE });
    expect(classify("model/meta.llama3-8b-instruct-v1:0/invoke-with-response-stream", { prompt: "hi", max_gen_len: 128 })).toMatchObject({ kind: "generate", stream: true, maxOutputTokens: 128 });
    expect(classify("model/amazon.titan-embed-text-v2:0/invoke", { inputText: "hi" })).toMatchObject({ kind: "embed", wire: "bedrock-invoke", pathModel: "amazon.titan-embed-text-v2:0" });
    expect(classify(`model/${CLAUDE}/count-tokens`)).toEqual({ kind: "count", stream: false, pathModel: CLAUDE });
  });

  test("everything else is a call of no model's output: async invocations name theirs in the body; a model's other actions in the path; guardrails and listings none", () => {
    expect(classify("async-invoke", { modelId: "amazon.nova-reel-v1:0" })).toEqual({ kind: "other", stream: false, bodyModels: ["amazon.nova-reel-v1:0"] });
    expect(classify("async-invoke", undefined, "GET")).toEqual({ kind: "other", stream: false });
    expect(classify("guardrail/gr-1/version/1/apply", { source: "INPUT" })).toEqual({ kind: "other", stream: false });
    expect(classify(`model/${CLAUDE}/invoke-with-bidirectional-stream`)).toEqual({ kind: "other", stream: false, pathModel: CLAUDE });
    expect(classify(`model/${CLAUDE}/Converse`)).toEqual({ kind: "other", stream: false, pathModel: CLAUDE });
  });

  test("a gateway name in the path is replaced by the upstream's model id, escaped as AWS's SDK escapes it; a path naming that id is left as sent", () => {
    const upstream = (model: string) => ({ id: "d", root: "https://bedrock-runtime.us-east-1.amazonaws.com", target: { model, apiBase: "" }, priceOf: embeddedPricer, timeoutMs: 1 });
    const place = (path: string, model: string) => bedrockPassthrough.placePath?.(path, upstream(model), "POST");
    expect(place("model/claude-arn/converse-stream", ARN)).toBe("model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aapplication-inference-profile%2Fabc123/converse-stream");
    expect(place("model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aapplication-inference-profile%2Fabc123/converse", ARN)).toBe("model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aapplication-inference-profile%2Fabc123/converse");
    expect(place(`model/${CLAUDE}/invoke`, CLAUDE)).toBe(`model/${CLAUDE}/invoke`);
    expect(place("async-invoke", "")).toBe("async-invoke");
    expect(place("guardrail/gr-1/version/1/apply", "")).toBe("guardrail/gr-1/version/1/apply");
  });
});

describe("where a Bedrock call goes", () => {
  const aws = { aws_access_key_id: "AKIADEPLOYMENT000000", aws_secret_access_key: "secret", aws_region_name: "eu-west-1" };
  const config: Config = {
    settings: { mock_models: false, env_provider_models: false },
    models: [
      { model_name: "claude-bedrock", model: `bedrock/${CLAUDE}`, ...aws },
      { model_name: "profile", model: `bedrock/${ARN}`, ...aws },
      { model_name: "bedrock-any/*", model: "bedrock/*", ...aws },
    ],
  };
  const upstreams = (env: Record<string, string> = {}, from: Config = config) => {
    const { table, problems } = buildModelTable(from, env);
    expect(problems).toEqual([]);
    return new PassthroughUpstreams(table, passthroughSettings(PASSTHROUGH_PROVIDERS, from, env, embeddedPrices()));
  };
  const keyAllowed = (models: string[]): Caller => ({ kind: "key", key: { models, aliases: {}, keyName: "sk-...test", token: "t" } as unknown as KeyRecord });
  const choose = (path: string, caller: Caller = OPEN_CALLER, env?: Record<string, string>, from?: Config) => {
    const shape = classify(path);
    return chooseUpstream(upstreams(env, from), bedrockPassthrough, caller, shape, namedModel(shape, bedrockPassthrough));
  };

  test("a model id a deployment serves goes to it, signed for its region; a gateway name goes to its deployment under its model id", () => {
    const byId = choose(`model/${CLAUDE}/converse`);
    expect(byId).toMatchObject({ model: CLAUDE, name: "claude-bedrock", upstream: { id: "claude-bedrock", root: "https://bedrock-runtime.eu-west-1.amazonaws.com", target: { region: "eu-west-1", aws: { accessKeyId: "AKIADEPLOYMENT000000" } } } });
    expect(choose("model/profile/converse")).toMatchObject({ model: ARN, name: "profile", upstream: { id: "profile", target: { model: ARN } } });
  });

  test("the key's allow-list is checked against the name it used: the gateway name, or a name serving the model id", () => {
    expect(choose("model/profile/converse", keyAllowed(["profile"])).name).toBe("profile");
    expect(() => choose("model/profile/converse", keyAllowed(["claude-bedrock"]))).toThrow(GatewayError);
    expect(choose(`model/${CLAUDE}/converse`, keyAllowed(["bedrock-any/*"])).name).toBe(`bedrock-any/${CLAUDE}`);
    expect(() => choose(`model/${CLAUDE}/converse`, keyAllowed(["profile"]))).toThrow(/not allowed to access model/);
  });

  test("without deployments: the environment's AWS keys (or Bedrock API key) and region, as LiteLLM reads them; none set, a 404 saying what to set", () => {
    const none: Config = { settings: { mock_models: false, env_provider_models: false } };
    const env = { AWS_ACCESS_KEY_ID: "AKIAENVIRONMENT00000", AWS_SECRET_ACCESS_KEY: "env-secret", AWS_SESSION_TOKEN: "env-token", AWS_REGION_NAME: "ap-south-1" };
    expect(choose(`model/${CLAUDE}/converse`, OPEN_CALLER, env, none).upstream).toMatchObject({ id: "bedrock/environment", root: "https://bedrock-runtime.ap-south-1.amazonaws.com", target: { model: CLAUDE, region: "ap-south-1", aws: { accessKeyId: "AKIAENVIRONMENT00000", sessionToken: "env-token" } } });
    const bearer = choose(`model/${CLAUDE}/converse`, OPEN_CALLER, { AWS_BEARER_TOKEN_BEDROCK: "ABSKenvironment", AWS_REGION: "us-east-2" }, none).upstream;
    expect(bearer.target).toMatchObject({ apiKey: "ABSKenvironment", region: "us-east-2" });
    expect(bedrockPassthrough.credentialHeaders(bearer)).toEqual({ authorization: "Bearer ABSKenvironment" });
    expect(() => choose(`model/${CLAUDE}/converse`, OPEN_CALLER, { AWS_ACCESS_KEY_ID: "AKIANOREGION", AWS_SECRET_ACCESS_KEY: "s" }, none)).toThrow(/not set up/);
  });
});

/** The reading of a stream of `events` (`chunk` payloads for InvokeModel), fed through the AWS event-stream decoder in `pieces`. */
function readStream(wire: NativeWire, pieces: Uint8Array[]): AnswerReading {
  const decoder = new AwsEventStreamDecoder("Amazon Bedrock");
  const reading = WIRE_READERS[wire].stream();
  for (const piece of pieces) for (const event of decoder.push(piece)) reading.event(event);
  for (const event of decoder.end()) reading.event(event);
  return reading.result();
}

/** A reading that must come out the same however the bytes are cut. */
function expectEveryCut(wire: NativeWire, events: StreamEvent[], expected: AnswerReading): void {
  const bytes = encodeEvents(events, seeded(7));
  expect(readStream(wire, [bytes])).toEqual(expected);
  for (const pieces of splitsAtEveryByte(bytes)) expect(readStream(wire, pieces)).toEqual(expected);
  for (let seed = 1; seed <= 20; seed++) {
    const random = seeded(seed);
    expect(readStream(wire, splitRandomly(bytes, random, 9))).toEqual(expected);
  }
}

const chunk = (event: unknown): StreamEvent => ({ name: "chunk", payload: { bytes: Buffer.from(JSON.stringify(event)).toString("base64") } });

describe("usage from Bedrock's answers", () => {
  test("Converse: usage (cache reads and writes added to the input, as Bedrock counts them apart) and stop reason", () => {
    const usage = { inputTokens: 10, outputTokens: 5, totalTokens: 45, cacheReadInputTokens: 20, cacheWriteInputTokens: 10 };
    expect(WIRE_READERS["bedrock-converse"].answer({ output: { message: { role: "assistant", content: [] } }, stopReason: "end_turn", usage })).toEqual({ usage: { input: 40, output: 5, cacheRead: 20, cacheWrite: 10 }, finishReason: "end_turn" });
    const events: StreamEvent[] = [
      { name: "messageStart", payload: { role: "assistant" } },
      { name: "contentBlockDelta", payload: { contentBlockIndex: 0, delta: { text: "Hi" } } },
      { name: "messageStop", payload: { stopReason: "max_tokens" } },
      { name: "metadata", payload: { usage, metrics: { latencyMs: 1 } } },
    ];
    expectEveryCut("bedrock-converse", events, { usage: { input: 40, output: 5, cacheRead: 20, cacheWrite: 10 }, finishReason: "max_tokens" });
  });

  test("InvokeModel, Claude: its Anthropic answer and stream; Nova: its Converse-shaped answer; other models: nothing (their counts are in the headers)", () => {
    const invoke = WIRE_READERS["bedrock-invoke"];
    expect(invoke.answer({ id: "msg_1", type: "message", content: [], stop_reason: "end_turn", usage: { input_tokens: 3, output_tokens: 2, cache_read_input_tokens: 7 } })).toEqual({ usage: { input: 10, output: 2, cacheRead: 7 }, responseId: "msg_1", finishReason: "end_turn" });
    expect(invoke.answer({ output: { message: { role: "assistant", content: [{ text: "hi" }] } }, stopReason: "end_turn", usage: { inputTokens: 4, outputTokens: 1 } })).toEqual({ usage: { input: 4, output: 1 }, finishReason: "end_turn" });
    expect(invoke.answer({ generation: "hi", prompt_token_count: 4, generation_token_count: 1 })).toEqual({});
    expect(invoke.answer("not an object")).toEqual({});
    expectEveryCut(
      "bedrock-invoke",
      [
        chunk({ type: "message_start", message: { id: "msg_2", usage: { input_tokens: 11, output_tokens: 1, cache_creation_input_tokens: 5 } } }),
        chunk({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "hi" } }),
        chunk({ type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 6 } }),
        chunk({ type: "message_stop", "amazon-bedrock-invocationMetrics": { inputTokenCount: 11, outputTokenCount: 6, invocationLatency: 9, firstByteLatency: 3 } }),
      ],
      { usage: { input: 16, output: 6, cacheWrite: 5 }, responseId: "msg_2", finishReason: "end_turn" },
    );
  });

  test("InvokeModel streams of other models: Bedrock's invocation metrics in the last chunk; Nova's metadata event; unreadable chunks add nothing", () => {
    expectEveryCut(
      "bedrock-invoke",
      [
        chunk({ generation: "Hel", prompt_token_count: 8, generation_token_count: 1, stop_reason: null }),
        { name: "chunk", payload: { bytes: "not base64 JSON !!" } },
        { name: "chunk", payload: { nothing: true } },
        chunk({ generation: "lo", prompt_token_count: null, generation_token_count: 2, stop_reason: "stop", "amazon-bedrock-invocationMetrics": { inputTokenCount: 8, outputTokenCount: 2, invocationLatency: 5, firstByteLatency: 2 } }),
      ],
      { usage: { input: 8, output: 2 }, finishReason: "stop" },
    );
    expectEveryCut(
      "bedrock-invoke",
      [
        chunk({ messageStart: { role: "assistant" } }),
        chunk({ contentBlockDelta: { delta: { text: "hi" }, contentBlockIndex: 0 } }),
        chunk({ messageStop: { stopReason: "end_turn" } }),
        chunk({ metadata: { usage: { inputTokens: 5, outputTokens: 1, cacheReadInputTokens: 2 } }, "amazon-bedrock-invocationMetrics": { inputTokenCount: 5, outputTokenCount: 1 } }),
      ],
      { usage: { input: 7, output: 1, cacheRead: 2 }, finishReason: "end_turn" },
    );
  });

  test("InvokeModel's token-count headers, cache counts included; none, or not numbers: nothing", () => {
    const headers = new Headers({ "x-amzn-bedrock-input-token-count": "12", "x-amzn-bedrock-output-token-count": "4", "x-amzn-bedrock-cache-read-input-token-count": "30" });
    const shape = classify(`model/${CLAUDE}/invoke`);
    expect(bedrockPassthrough.headerUsage?.(headers, shape)).toEqual({ input: 42, output: 4, cacheRead: 30 });
    expect(bedrockPassthrough.headerUsage?.(new Headers(), shape)).toBeUndefined();
    expect(bedrockPassthrough.headerUsage?.(new Headers({ "x-amzn-bedrock-input-token-count": "12abc" }), shape)).toBeUndefined();
  });
});

describe("span messages of the other InvokeModel bodies", () => {
  const invoke = WIRE_MESSAGES["bedrock-invoke"];
  const sink = () => ({ attrs: {} as Record<string, unknown>, redact: false });
  test("Nova (Converse-shaped), and a bare prompt (Llama, Mistral, Titan): in and out, whole and streamed", () => {
    const nova = sink();
    invoke.input(nova as never, "in", { system: [{ text: "Be brief." }], messages: [{ role: "user", content: [{ text: "Hi Nova" }] }] });
    expect(nova.attrs).toMatchObject({ "in.0.message.role": "system", "in.0.message.content": "Be brief.", "in.1.message.contents.0.message_content.text": "Hi Nova" });
    const llama = sink();
    invoke.input(llama as never, "in", { prompt: "Hi Llama", max_gen_len: 10 });
    expect(llama.attrs).toEqual({ "in.0.message.role": "user", "in.0.message.content": "Hi Llama" });
    expect(invoke.answer({ output: { message: { role: "assistant", content: [{ text: "Hello" }] } } })).toMatchObject({ content: "Hello" });
    expect(invoke.answer({ generation: "Hello" })).toMatchObject({ role: "assistant", content: "Hello" });
    expect(invoke.answer({ outputs: [{ text: "Bonjour" }] })).toMatchObject({ content: "Bonjour" });
    const data = (event: unknown) => JSON.stringify({ bytes: Buffer.from(JSON.stringify(event)).toString("base64"), p: "abc" });
    expect(invoke.stream([data({ contentBlockDelta: { delta: { text: "Hel" }, contentBlockIndex: 0 } }), data({ contentBlockDelta: { delta: { text: "lo" }, contentBlockIndex: 0 } })])).toMatchObject({ content: "Hello" });
    expect(invoke.stream([data({ generation: "Hel" }), data({ generation: "lo" }), "not json"])).toMatchObject({ content: "Hello" });
    expect(invoke.stream(["{}", "[1]"])).toBeUndefined();
    expect(invoke.embedTexts({ inputText: "embed me" })).toEqual(["embed me"]);
    expect(invoke.embedTexts({ texts: ["a", "b"] })).toEqual(["a", "b"]);
  });
});

describe("errors on /bedrock are AWS's", () => {
  test("the exception in x-amzn-errortype, the text in message, the gateway's OpenAI-shape error beside it", async () => {
    for (const [code, status, exception] of [
      ["policy.key_model_denied", 403, "AccessDeniedException"],
      ["policy.unauthenticated", 401, "UnrecognizedClientException"],
      ["caller.invalid_request", 400, "ValidationException"],
      ["caller.route_not_found", 404, "ResourceNotFoundException"],
      ["policy.rate_limited", 429, "ThrottlingException"],
      ["provider.timeout", 504, "InternalServerException"],
    ] as const) {
      const response = bedrockPassthrough.renderError(new GatewayError(code, `because ${code}`), { "x-switchboard-call-id": "c1" });
      expect(`${code}: ${response.status} ${response.headers.get("x-amzn-errortype")}`).toBe(`${code}: ${status} ${exception}`);
      expect(response.headers.get("x-switchboard-call-id")).toBe("c1");
      expect(await response.json()).toMatchObject({ message: `because ${code}`, error: { message: `because ${code}` } });
    }
  });
});
