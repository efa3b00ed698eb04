/**
 * The pass-through routes with the providers' official SDKs as clients, a virtual key as their
 * key, and mock upstreams that validate the wire: the credential arrives injected, the client's key
 * never arrives, the body arrives byte for byte, streams flow, a disconnect aborts the upstream, and
 * each call leaves one ledger row priced from the native usage.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI, { AzureOpenAI } from "openai";
import type { GeneratedKeyJson, SpendLogJson } from "../../src/admin/responses.ts";
import { startAccountsGateway, type AccountsGateway } from "../support/accounts.ts";
import { recordsSettled } from "../support/build-test-app.ts";
import { startMockAnthropic, TEXT_ANSWER, TEXT_USAGE, type MockAnthropic } from "../support/mock-anthropic.ts";
import { CHAT_TEXT, CHAT_USAGE, startMockNative, type MockNative } from "../support/mock-native.ts";
import { OK_TEXT, OK_USAGE, startMockUpstream, waitFor, type MockUpstream } from "../support/mock-upstream.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-passthrough-sdk-");
const ANTHROPIC_KEY = "sk-ant-upstream-0123456789abcdef";
const OPENAI_KEY = "sk-openai-upstream-0123456789abcdef";
const AZURE_KEY = "azure-resource-key-0123456789abcdef";
/** Claude's rates, set on the deployment so the expected cost is plain arithmetic. */
const CLAUDE_PRICE = { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 };

let anthropicMock: MockAnthropic;
let openaiMock: MockUpstream;
let native: MockNative;
let gateway: AccountsGateway;
let key: GeneratedKeyJson;
/** Bodies as the SDKs sent them, in order. */
const sent: string[] = [];

/** A fetch that keeps each request body the SDK sends. */
const capturing = (async (url: string | URL | Request, init?: RequestInit) => {
  if (typeof init?.body === "string") sent.push(init.body);
  return fetch(url, init);
}) as typeof fetch;

beforeAll(async () => {
  anthropicMock = await startMockAnthropic();
  openaiMock = await startMockUpstream();
  native = await startMockNative();
  gateway = await startAccountsGateway(
    {
      models: [
        { model_name: "claude", model: "anthropic/text", api_base: anthropicMock.url, api_key: ANTHROPIC_KEY, price: CLAUDE_PRICE },
        { model_name: "claude-stall", model: "anthropic/stall", api_base: anthropicMock.url, api_key: ANTHROPIC_KEY, price: CLAUDE_PRICE },
        { model_name: "gpt", model: "openai/ok", api_base: openaiMock.url, api_key: OPENAI_KEY, price: { input: 2.5, output: 10, cache_read: 1.25 } },
        // Non-model OpenAI calls (files) go to the deployment lent to pass-through.
        { model_name: "gpt-native", model: "openai/native", api_base: `${native.url}/v1`, api_key: OPENAI_KEY, use_in_pass_through: true },
        { model_name: "azure-gpt", model: "azure/my-deployment", api_base: native.url, api_key: AZURE_KEY, api_version: "2024-10-21", price: { input: 1, output: 2 } },
      ],
    },
    { dataDir: dirname(await tmp.file("marker", "")) },
  );
  key = (await gateway.admin<GeneratedKeyJson>("POST", "/key/generate", { key_alias: "sdk-key", models: ["claude", "claude-stall", "gpt", "azure-gpt"] })).body;
});
afterAll(async () => {
  await gateway?.stop();
  await anthropicMock?.stop();
  await openaiMock?.stop();
  await native?.stop();
});

const anthropicClient = () => new Anthropic({ baseURL: `${gateway.origin}/anthropic`, apiKey: key.key, maxRetries: 0, fetch: capturing });
const openaiClient = () => new OpenAI({ baseURL: `${gateway.origin}/openai`, apiKey: key.key, maxRetries: 0, fetch: capturing });

/** The ledger row of a call, once the ledger has it. */
async function rowOf(callId: string | null): Promise<SpendLogJson> {
  let row: SpendLogJson | undefined;
  for (let i = 0; i < 100 && !row; i++) {
    row = (await gateway.admin<SpendLogJson[]>("GET", "/spend/logs")).body.find((entry) => entry.call_id === callId);
    if (!row) await Bun.sleep(20);
  }
  if (!row) throw new Error(`no ledger row for ${callId}`);
  return row;
}

/** No header the upstream received carries the client's key, and none is a client credential header. */
function expectNoClientKey(headers: Record<string, string>): void {
  expect(JSON.stringify(headers)).not.toContain(key.key);
  for (const name of ["x-litellm-api-key", "x-switchboard-api-key", "cookie", "x-forwarded-for"]) expect(headers[name]).toBeUndefined();
}

describe("Anthropic SDK at /anthropic", () => {
  test("messages.create: the upstream gets the deployment's key, never the client's, and the body byte for byte; the answer as sent", async () => {
    const before = anthropicMock.requests.length;
    const { data, response } = await anthropicClient()
      .messages.create({ model: "text", max_tokens: 64, system: "Be brief.", messages: [{ role: "user", content: "Say hello." }], metadata: { user_id: "u-1" } })
      .withResponse();
    expect(data.content).toMatchObject([{ type: "text", text: TEXT_ANSWER }]);
    expect(data.usage).toMatchObject(TEXT_USAGE);
    const received = anthropicMock.requests[before];
    expect(received?.invalid).toBeUndefined();
    expect(received?.path).toBe("/v1/messages");
    expect(received?.headers["x-api-key"]).toBe(ANTHROPIC_KEY);
    expect(received?.headers.authorization).toBeUndefined();
    // The SDK's own version header goes up as the SDK sent it.
    expect(received?.headers["anthropic-version"]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expectNoClientKey(received?.headers ?? {});
    expect(received?.bodyText).toBe(sent.at(-1) as string);
    expect(response.headers.get("x-switchboard-model-id")).toBe("claude");
    // 21 uncached at $3, 1,860 cache reads at $0.30, 12 out at $15 per million.
    const row = await rowOf(response.headers.get("x-switchboard-call-id"));
    expect(row).toMatchObject({ call_type: "pass_through_endpoint", model: "claude", upstream_model: "text", custom_llm_provider: "anthropic", key_alias: "sdk-key", prompt_tokens: 1881, completion_tokens: 12, cache_read_input_tokens: 1860, spend: 0.000801 });
  });

  test("a stream flows event by event and is booked from message_start and message_delta", async () => {
    const stream = anthropicClient().messages.stream({ model: "text", max_tokens: 64, messages: [{ role: "user", content: "Say hello." }] });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types[0]).toBe("message_start");
    expect(types.at(-1)).toBe("message_stop");
    expect((await stream.finalMessage()).content).toMatchObject([{ type: "text", text: TEXT_ANSWER }]);
    expect(anthropicMock.requests.at(-1)?.bodyText).toBe(sent.at(-1) as string);
    const records = await recordsSettled(gateway, gateway.records.length);
    const record = records.at(-1);
    expect(record).toMatchObject({ operation: "pass_through_endpoint", stream: true, outcome: "ok", usage: { input: 1881, output: 12, cacheRead: 1860 }, costNano: 801_000 });
  });

  test("count_tokens is a free call of the model", async () => {
    const counted = await anthropicClient().messages.countTokens({ model: "text", messages: [{ role: "user", content: "one two three" }] });
    expect(counted.input_tokens).toBeGreaterThan(0);
    const count = gateway.records.at(-1);
    expect(count).toMatchObject({ model: "claude", costNano: 0, outcome: "ok" });
  });

  test("a client that goes away mid-stream aborts the upstream; the call is booked as cancelled", async () => {
    const controller = new AbortController();
    const stream = await anthropicClient().messages.create({ model: "stall", max_tokens: 64, messages: [{ role: "user", content: "wait" }], stream: true }, { signal: controller.signal });
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.type).toBe("message_start");
    controller.abort();
    expect(await waitFor(() => anthropicMock.aborted.some((request) => request.body?.model === "stall"), 3000)).toBe(true);
    expect(await waitFor(() => gateway.records.some((record) => record.upstreamModel === "stall" && record.outcome === "cancelled"), 3000)).toBe(true);
  });

  test("a model outside the key's list is refused before anything goes upstream, in Anthropic's error shape", async () => {
    const before = anthropicMock.requests.length;
    const error = await anthropicClient()
      .messages.create({ model: "thinking", max_tokens: 64, messages: [{ role: "user", content: "hi" }] })
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect((error as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: "error", error: { type: "key_model_access_denied" } });
    expect(anthropicMock.requests.length).toBe(before);
  });

  test("a wrong key is a 401 the SDK recognises", async () => {
    const client = new Anthropic({ baseURL: `${gateway.origin}/anthropic`, apiKey: "sk-not-a-key", maxRetries: 0 });
    expect(await client.models.list().catch((thrown: unknown) => thrown)).toBeInstanceOf(Anthropic.AuthenticationError);
  });
});

describe("OpenAI SDK at /openai", () => {
  test("chat.completions: the deployment's key as a bearer, the body byte for byte, booked with cached tokens", async () => {
    const before = openaiMock.requests.length;
    const { data, response } = await openaiClient().chat.completions.create({ model: "ok", messages: [{ role: "user", content: "hello" }], temperature: 0.2 }).withResponse();
    expect(data.choices[0]?.message.content).toBe(OK_TEXT);
    const received = openaiMock.requests[before];
    expect(received?.invalid).toBeUndefined();
    expect(received?.path).toBe("/v1/chat/completions");
    expect(received?.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    expectNoClientKey(received?.headers ?? {});
    expect(received?.bodyText).toBe(sent.at(-1) as string);
    const row = await rowOf(response.headers.get("x-switchboard-call-id"));
    // 7 uncached at $2.50, 12 cached at $1.25, 5 out at $10 per million.
    expect(row).toMatchObject({ model: "gpt", upstream_model: "ok", prompt_tokens: OK_USAGE.prompt_tokens, completion_tokens: 5, cache_read_input_tokens: 12, spend: 0.0000825 });
  });

  test("a stream with include_usage is booked from its usage chunk; the chunks arrive as sent", async () => {
    const stream = await openaiClient().chat.completions.create({ model: "ok", messages: [{ role: "user", content: "hello" }], stream: true, stream_options: { include_usage: true } });
    let text = "";
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(OK_TEXT);
    expect(usage).toMatchObject({ prompt_tokens: OK_USAGE.prompt_tokens });
    expect(await waitFor(() => gateway.records.at(-1)?.stream === true, 2000)).toBe(true);
    expect(gateway.records.at(-1)).toMatchObject({ usage: { input: 19, output: 5, cacheRead: 12 }, outcome: "ok" });
    expect(gateway.records.at(-1)?.usageEstimated).toBeUndefined();
  });

  test("a stream without usage is still booked, from estimates", async () => {
    const stream = await openaiClient().chat.completions.create({ model: "ok", messages: [{ role: "user", content: "hello" }], stream: true });
    for await (const _ of stream) void _;
    expect(await waitFor(() => gateway.records.at(-1)?.usageEstimated === true, 2000)).toBe(true);
    expect(gateway.records.at(-1)?.usage?.output).toBeGreaterThan(0);
  });

  test("files.list is a call of no model: any key, the lent deployment's credential, a row at no cost", async () => {
    const before = native.requests.length;
    const { data, response } = await openaiClient().files.list().withResponse();
    expect(data.data[0]?.id).toBe("file-1");
    const received = native.requests[before];
    expect(received?.method).toBe("GET");
    expect(received?.path).toBe("/v1/files");
    expect(received?.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    expectNoClientKey(received?.headers ?? {});
    const row = await rowOf(response.headers.get("x-switchboard-call-id"));
    expect(row).toMatchObject({ call_type: "pass_through_endpoint", model: "", spend: 0, model_id: "gpt-native" });
  });

  test("files.create: a multipart body goes up byte for byte with its content-type", async () => {
    const before = native.requests.length;
    const file = await openaiClient().files.create({ file: new File(["line one\nline two\n"], "notes.jsonl"), purpose: "batch" });
    expect(file.id).toBe("file-new");
    const received = native.requests[before];
    expect(received?.headers["content-type"]).toStartWith("multipart/form-data; boundary=");
    expect(received?.bodyText).toContain("line one\nline two\n");
    expect(received?.bodyText).toContain('name="purpose"');
  });

  test("/openai/v1 as the base URL reaches the same path", async () => {
    const client = new OpenAI({ baseURL: `${gateway.origin}/openai/v1`, apiKey: key.key, maxRetries: 0 });
    const before = openaiMock.requests.length;
    await client.chat.completions.create({ model: "ok", messages: [{ role: "user", content: "hello" }] });
    expect(openaiMock.requests[before]?.path).toBe("/v1/chat/completions");
  });
});

describe("AzureOpenAI at /azure", () => {
  test("the deployment in the path is the model; the resource key goes as api-key", async () => {
    const client = new AzureOpenAI({ endpoint: `${gateway.origin}/azure`, apiKey: key.key, apiVersion: "2024-10-21", deployment: "my-deployment", maxRetries: 0 });
    const before = native.requests.length;
    const { data, response } = await client.chat.completions.create({ model: "my-deployment", messages: [{ role: "user", content: "hello" }] }).withResponse();
    expect(data.choices[0]?.message.content).toBe(CHAT_TEXT);
    const received = native.requests[before];
    expect(received?.path).toBe("/openai/deployments/my-deployment/chat/completions");
    expect(received?.search).toBe("?api-version=2024-10-21");
    expect(received?.headers["api-key"]).toBe(AZURE_KEY);
    expectNoClientKey(received?.headers ?? {});
    const row = await rowOf(response.headers.get("x-switchboard-call-id"));
    expect(row).toMatchObject({ model: "azure-gpt", upstream_model: "my-deployment", prompt_tokens: CHAT_USAGE.prompt_tokens, cache_read_input_tokens: 10 });
  });

  test("a body naming another model than the path's deployment is refused", async () => {
    const client = new AzureOpenAI({ endpoint: `${gateway.origin}/azure`, apiKey: key.key, apiVersion: "2024-10-21", deployment: "my-deployment", maxRetries: 0 });
    const error = await client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "hello" }] }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toContain("The path names the model 'my-deployment' and the body 'gpt-4o'");
  });
});
