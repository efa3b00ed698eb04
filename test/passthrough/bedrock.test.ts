/**
 * `/bedrock/*` with AWS's own SDK (@aws-sdk/client-bedrock-runtime, endpoint overridden to the
 * gateway) as the client and a virtual key as its credential, against a mock bedrock-runtime that
 * checks every request as AWS would: re-signed with the deployment's credentials and region over
 * the exact bytes the SDK sent, no client credential or virtual key anywhere in it. Each call
 * leaves one ledger row priced from Bedrock's own counts (cache reads and writes included).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  CountTokensCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  ListAsyncInvokesCommand,
  type BedrockRuntimeClientConfig,
} from "@aws-sdk/client-bedrock-runtime";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { GeneratedKeyJson, SpendLogJson } from "../../src/admin/responses.ts";
import type { CallRecord } from "../../src/telemetry/calls.ts";
import { startAccountsGateway, type AccountsGateway } from "../support/accounts.ts";
import { BEDROCK_CREDENTIALS, BEDROCK_REGION, CONVERSE_TEXT, CONVERSE_USAGE, EMBED_TOKENS, INVOKE_TEXT, INVOKE_USAGE, startMockBedrock, TOOL_USE, type BedrockRequest, type MockBedrock } from "../support/mock-bedrock.ts";
import { waitFor } from "../support/mock-upstream.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-passthrough-bedrock-");
const CLAUDE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const ARN = "arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const ARN_SEGMENT = "arn%3Aaws%3Abedrock%3Aus-west-2%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-sonnet-4-5-20250929-v1%3A0";
const TITAN = "amazon.titan-embed-text-v2:0";
/** Claude's rates, set on the deployments so the expected cost is plain arithmetic. */
const CLAUDE_PRICE = { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 };
/** 12 uncached at $3, 96 cache reads at $0.30, 4 cache writes at $3.75, 7 out at $15 per million. */
const CONVERSE_COST_NANO = 184_800;
/** 21 uncached at $3, 1,000 cache reads at $0.30, 8 cache writes at $3.75, 9 out at $15 per million. */
const INVOKE_COST_NANO = 528_000;

let mock: MockBedrock;
let gateway: AccountsGateway;
let key: GeneratedKeyJson;
/** Request bodies as the SDK sent them (after serialisation), in order. */
const sent: Uint8Array[] = [];

const aws = { api_base: "", aws_access_key_id: BEDROCK_CREDENTIALS.accessKeyId, aws_secret_access_key: BEDROCK_CREDENTIALS.secretAccessKey, aws_session_token: BEDROCK_CREDENTIALS.sessionToken, aws_region_name: BEDROCK_REGION };

beforeAll(async () => {
  mock = await startMockBedrock();
  const deployment = { ...aws, api_base: mock.url };
  gateway = await startAccountsGateway(
    {
      settings: { env_provider_models: false },
      models: [
        { model_name: "claude-bedrock", model: `bedrock/${CLAUDE}`, ...deployment, price: CLAUDE_PRICE },
        { model_name: "claude-arn", model: `bedrock/${ARN}`, ...deployment, price: CLAUDE_PRICE },
        { model_name: "claude-stall", model: "bedrock/us.anthropic.claude-stall-v1:0", ...deployment, price: CLAUDE_PRICE },
        { model_name: "titan-embed", model: `bedrock/${TITAN}`, ...deployment, price: { input: 0.1, output: 0 } },
        { model_name: "haiku-bedrock", model: "bedrock/anthropic.claude-3-haiku-20240307-v1:0", ...deployment, use_in_pass_through: true },
        { model_name: "claude-throttled", model: "bedrock/us.anthropic.claude-throttled-v1:0", ...deployment },
      ],
    },
    { dataDir: dirname(await tmp.file("marker", "")) },
  );
  key = (await gateway.admin<GeneratedKeyJson>("POST", "/key/generate", { key_alias: "bedrock-sdk-key", models: ["claude-bedrock", "claude-arn", "claude-stall", "titan-embed", "claude-throttled"] })).body;
});
afterAll(async () => {
  await gateway?.stop();
  await mock?.stop();
});

/** Keeps each serialised request body the SDK sends. */
function capturing(client: BedrockRuntimeClient): BedrockRuntimeClient {
  client.middlewareStack.add(
    (next) => async (args) => {
      const body = (args.request as { body?: unknown }).body;
      sent.push(typeof body === "string" ? new TextEncoder().encode(body) : body instanceof Uint8Array ? body : new Uint8Array());
      return next(args);
    },
    { step: "finalizeRequest", name: "captureBody" },
  );
  return client;
}

/**
 * The SDK pointed at the gateway, the virtual key as its access key (any secret: the gateway reads
 * the key and drops the signature). HTTP/1.1: the SDK's default handler speaks only HTTP/2.
 */
function bedrockClient(config: Partial<BedrockRuntimeClientConfig> = {}): BedrockRuntimeClient {
  return capturing(
    new BedrockRuntimeClient({
      region: "us-east-1",
      endpoint: `${gateway.origin}/bedrock`,
      credentials: { accessKeyId: key.key, secretAccessKey: "not-checked-by-the-gateway" },
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler(),
      ...config,
    }),
  );
}

/** The call record the next call leaves (the calls here run one at a time). */
async function nextRecord(before: number): Promise<CallRecord> {
  expect(await waitFor(() => gateway.records.length > before, 3000)).toBe(true);
  return gateway.records[before] as CallRecord;
}

/** The ledger row of a call, once the ledger has it. */
async function rowOf(callId: string): Promise<SpendLogJson> {
  for (let i = 0; i < 100; i++) {
    const row = (await gateway.admin<SpendLogJson[]>("GET", "/spend/logs")).body.find((entry) => entry.call_id === callId);
    if (row) return row;
    await Bun.sleep(20);
  }
  throw new Error(`no ledger row for ${callId}`);
}

/** What AWS would see: a valid signature with the deployment's key in its region, the SDK's bytes, nothing of the client's credentials. */
function expectResigned(received: BedrockRequest | undefined): void {
  expect(received?.invalid).toBeUndefined();
  expect(received?.headers.authorization).toStartWith(`AWS4-HMAC-SHA256 Credential=${BEDROCK_CREDENTIALS.accessKeyId}/`);
  expect(received?.headers.authorization).toContain(`/${BEDROCK_REGION}/bedrock/aws4_request`);
  expect(received?.headers["x-amz-security-token"]).toBe(BEDROCK_CREDENTIALS.sessionToken);
  expect(JSON.stringify(received?.headers)).not.toContain(key.key);
  for (const name of ["x-amz-content-sha256", "x-litellm-api-key", "litellm_user_api_key", "cookie"]) expect(received?.headers[name]).toBeUndefined();
  expect(Buffer.from(received?.bytes ?? []).equals(Buffer.from(sent.at(-1) ?? []))).toBe(true);
}

/** The AWS error a call fails with (the test fails if it succeeds). */
async function failure(call: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  const outcome = await call.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(outcome instanceof Error)) throw new Error("the call was expected to fail");
  return outcome;
}

const messages = [{ role: "user" as const, content: [{ text: "What is the weather in Paris?" }] }];

describe("Converse and ConverseStream", () => {
  test("Converse: re-signed for the deployment, the SDK's bytes as sent, the answer as Bedrock gave it; one row priced with cache reads and writes", async () => {
    const before = gateway.records.length;
    const requests = mock.requests.length;
    const answer = await bedrockClient().send(new ConverseCommand({ modelId: CLAUDE, system: [{ text: "Be brief." }], messages, inferenceConfig: { maxTokens: 64, temperature: 0.2 } }));
    expect(answer.output?.message?.content).toEqual([{ text: CONVERSE_TEXT }, { toolUse: TOOL_USE }]);
    expect(answer.usage).toMatchObject(CONVERSE_USAGE);
    const received = mock.requests[requests];
    expect(received?.rawPath).toBe(`/model/${CLAUDE.replace(":", "%3A")}/converse`);
    expectResigned(received);
    const record = await nextRecord(before);
    expect(record).toMatchObject({ operation: "pass_through_endpoint", model: "claude-bedrock", upstreamModel: CLAUDE, provider: "bedrock", stream: false, outcome: "ok", finishReason: "tool_use" });
    expect(record.usage).toEqual({ input: 112, output: 7, cacheRead: 96, cacheWrite: 4 });
    expect(record.costNano).toBe(CONVERSE_COST_NANO);
    const row = await rowOf(record.callId);
    expect(row).toMatchObject({ call_type: "pass_through_endpoint", model: "claude-bedrock", upstream_model: CLAUDE, custom_llm_provider: "bedrock", key_alias: "bedrock-sdk-key", prompt_tokens: 112, completion_tokens: 7, cache_read_input_tokens: 96, cache_creation_input_tokens: 4, spend: 0.0001848 });
  });

  test("ConverseStream: the event stream flows through unchanged (cut anywhere by the upstream) and is booked from its metadata event", async () => {
    const before = gateway.records.length;
    const requests = mock.requests.length;
    const answer = await bedrockClient().send(new ConverseStreamCommand({ modelId: CLAUDE, messages }));
    let text = "";
    let input = "";
    const kinds: string[] = [];
    for await (const event of answer.stream ?? []) {
      kinds.push(Object.keys(event).filter((name) => name !== "$unknown")[0] as string);
      text += event.contentBlockDelta?.delta?.text ?? "";
      input += event.contentBlockDelta?.delta?.toolUse?.input ?? "";
      if (event.metadata) expect(event.metadata.usage).toMatchObject(CONVERSE_USAGE);
    }
    expect(text).toBe(CONVERSE_TEXT);
    expect(JSON.parse(input)).toEqual(TOOL_USE.input);
    expect(kinds[0]).toBe("messageStart");
    expect(kinds.at(-1)).toBe("metadata");
    expectResigned(mock.requests[requests]);
    const record = await nextRecord(before);
    expect(record).toMatchObject({ model: "claude-bedrock", stream: true, outcome: "ok", finishReason: "tool_use", usage: { input: 112, output: 7, cacheRead: 96, cacheWrite: 4 }, costNano: CONVERSE_COST_NANO });
    expect(record.usageEstimated).toBeUndefined();
  });

  test("an inference-profile ARN as the model id: its '/' arrives escaped in one segment, signed as AWS signs it", async () => {
    const before = gateway.records.length;
    const requests = mock.requests.length;
    await bedrockClient().send(new ConverseCommand({ modelId: ARN, messages }));
    const received = mock.requests[requests];
    expect(received?.rawPath).toBe(`/model/${ARN_SEGMENT}/converse`);
    expectResigned(received);
    expect(await nextRecord(before)).toMatchObject({ model: "claude-arn", upstreamModel: ARN, costNano: CONVERSE_COST_NANO });
  });

  test("a deployment's gateway name as the model id (LiteLLM's convention) goes up as its model id", async () => {
    const before = gateway.records.length;
    const requests = mock.requests.length;
    await bedrockClient().send(new ConverseCommand({ modelId: "claude-arn", messages }));
    expect(mock.requests[requests]?.rawPath).toBe(`/model/${ARN_SEGMENT}/converse`);
    expectResigned(mock.requests[requests]);
    expect(await nextRecord(before)).toMatchObject({ model: "claude-arn", upstreamModel: ARN, costNano: CONVERSE_COST_NANO });
  });
});

describe("InvokeModel and InvokeModelWithResponseStream", () => {
  const anthropicBody = JSON.stringify({ anthropic_version: "bedrock-2023-05-31", max_tokens: 64, system: "Be brief.", messages: [{ role: "user", content: "Say hello." }] });

  test("InvokeModel with an Anthropic body: the body byte for byte, the answer's bytes as Bedrock sent them, booked from its usage", async () => {
    const before = gateway.records.length;
    const requests = mock.requests.length;
    const answer = await bedrockClient().send(new InvokeModelCommand({ modelId: CLAUDE, contentType: "application/json", accept: "application/json", body: new TextEncoder().encode(anthropicBody) }));
    const message = JSON.parse(new TextDecoder().decode(answer.body));
    expect(message).toMatchObject({ type: "message", content: [{ type: "text", text: INVOKE_TEXT }], usage: INVOKE_USAGE });
    const received = mock.requests[requests];
    expect(received?.bodyText).toBe(anthropicBody);
    expectResigned(received);
    const record = await nextRecord(before);
    expect(record).toMatchObject({ model: "claude-bedrock", stream: false, finishReason: "end_turn", responseId: "msg_bdrk_02", usage: { input: 1029, output: 9, cacheRead: 1000, cacheWrite: 8 }, costNano: INVOKE_COST_NANO });
    expect((await rowOf(record.callId)).spend).toBe(0.000528);
  });

  test("InvokeModelWithResponseStream: chunks of base64 Anthropic events flow through, booked from message_start and message_delta", async () => {
    const before = gateway.records.length;
    const requests = mock.requests.length;
    const answer = await bedrockClient().send(new InvokeModelWithResponseStreamCommand({ modelId: CLAUDE, contentType: "application/json", body: new TextEncoder().encode(anthropicBody) }));
    const types: string[] = [];
    let text = "";
    for await (const part of answer.body ?? []) {
      const event = JSON.parse(new TextDecoder().decode(part.chunk?.bytes));
      types.push(event.type);
      text += event.delta?.text ?? "";
    }
    expect(types).toEqual(["message_start", "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop"]);
    expect(text).toBe(INVOKE_TEXT);
    expectResigned(mock.requests[requests]);
    expect(await nextRecord(before)).toMatchObject({ model: "claude-bedrock", stream: true, outcome: "ok", finishReason: "end_turn", usage: { input: 1029, output: 9, cacheRead: 1000, cacheWrite: 8 }, costNano: INVOKE_COST_NANO });
  });

  test("an embedding model's InvokeModel is booked from Bedrock's token-count headers", async () => {
    const before = gateway.records.length;
    const answer = await bedrockClient().send(new InvokeModelCommand({ modelId: TITAN, contentType: "application/json", body: new TextEncoder().encode(JSON.stringify({ inputText: "hello there" })) }));
    expect(JSON.parse(new TextDecoder().decode(answer.body)).embedding).toHaveLength(3);
    const record = await nextRecord(before);
    expect(record).toMatchObject({ model: "titan-embed", usage: { input: EMBED_TOKENS, output: 0 }, costNano: 500 });
    expect(record.usageEstimated).toBeUndefined();
  });

  test("CountTokens is a free call of the model", async () => {
    const before = gateway.records.length;
    const counted = await bedrockClient().send(new CountTokensCommand({ modelId: CLAUDE, input: { converse: { messages } } }));
    expect(counted.inputTokens).toBe(42);
    expect(await nextRecord(before)).toMatchObject({ model: "claude-bedrock", costNano: 0, outcome: "ok" });
  });
});

describe("other calls and upstream errors", () => {
  test("ListAsyncInvokes, a GET of no model: signed as a GET, open to any key, on the deployment lent to pass-through, free", async () => {
    const before = gateway.records.length;
    const requests = mock.requests.length;
    await bedrockClient().send(new ListAsyncInvokesCommand({ maxResults: 5 }));
    const received = mock.requests[requests];
    expect(received).toMatchObject({ method: "GET", rawPath: "/async-invoke", bytes: new Uint8Array() });
    expect(received?.invalid).toBeUndefined();
    expect(received?.headers.authorization).toContain(`/${BEDROCK_REGION}/bedrock/aws4_request`);
    expect(await nextRecord(before)).toMatchObject({ model: "", deploymentId: "haiku-bedrock", costNano: 0, outcome: "ok" });
  });

  test("Bedrock's own error is relayed for the SDK to raise, the deployment's credential taken out of it", async () => {
    const before = gateway.records.length;
    const error = await failure(bedrockClient().send(new ConverseCommand({ modelId: "us.anthropic.claude-throttled-v1:0", messages })));
    expect(error.name).toBe("ThrottlingException");
    expect(error.$metadata?.httpStatusCode).toBe(429);
    expect(error.message).toContain("Too many requests");
    expect(error.message).not.toContain(BEDROCK_CREDENTIALS.sessionToken);
    expect(await nextRecord(before)).toMatchObject({ model: "claude-throttled", outcome: "error", errorCode: "provider.rate_limited", status: 429 });
  });
});

describe("the key, however the SDK sends it", () => {
  test("a Bedrock API key (the SDK's bearer auth) and LiteLLM's headers work as the access-key form does", async () => {
    const bearer = bedrockClient({ token: { token: key.key }, authSchemePreference: ["httpBearerAuth"] });
    expect((await bearer.send(new ConverseCommand({ modelId: CLAUDE, messages }))).output?.message?.content?.[0]).toEqual({ text: CONVERSE_TEXT });
    expectResigned(mock.requests.at(-1));
    for (const header of ["x-litellm-api-key", "litellm_user_api_key"]) {
      const client = bedrockClient({ credentials: { accessKeyId: "AKIAFAKEFAKEFAKEFAKE", secretAccessKey: "fake" } });
      client.middlewareStack.add(
        (next) => async (args) => {
          (args.request as { headers: Record<string, string> }).headers[header] = key.key;
          return next(args);
        },
        { step: "build", name: "litellmKey" },
      );
      expect((await client.send(new ConverseCommand({ modelId: CLAUDE, messages }))).usage).toMatchObject(CONVERSE_USAGE);
      expectResigned(mock.requests.at(-1));
    }
  });

  test("a model outside the key's list is refused before anything goes upstream, as AWS's AccessDeniedException", async () => {
    const requests = mock.requests.length;
    const error = await failure(bedrockClient().send(new ConverseCommand({ modelId: "anthropic.claude-3-haiku-20240307-v1:0", messages })));
    expect(error.name).toBe("AccessDeniedException");
    expect(error.message).toContain("bedrock/anthropic.claude-3-haiku-20240307-v1:0");
    expect(error.$metadata?.httpStatusCode).toBe(403);
    expect(mock.requests.length).toBe(requests);
  });

  test("an unknown key is AWS's UnrecognizedClientException (401)", async () => {
    const error = await failure(bedrockClient({ credentials: { accessKeyId: "sk-not-a-key-0123456789", secretAccessKey: "x" } }).send(new ConverseCommand({ modelId: CLAUDE, messages })));
    expect(error.name).toBe("UnrecognizedClientException");
    expect(error.$metadata?.httpStatusCode).toBe(401);
  });
});

test("a client that goes away mid-stream aborts the upstream; the call is booked as cancelled", async () => {
  const controller = new AbortController();
  const answer = await bedrockClient().send(new ConverseStreamCommand({ modelId: "us.anthropic.claude-stall-v1:0", messages }), { abortSignal: controller.signal });
  const iterator = (answer.stream as AsyncIterable<Record<string, unknown>>)[Symbol.asyncIterator]();
  expect(Object.keys((await iterator.next()).value ?? {})).toContain("messageStart");
  controller.abort();
  expect(await waitFor(() => mock.aborted.some((request) => request.path.includes("claude-stall")), 3000)).toBe(true);
  expect(await waitFor(() => gateway.records.some((record) => record.model === "claude-stall" && record.outcome === "cancelled"), 3000)).toBe(true);
});
