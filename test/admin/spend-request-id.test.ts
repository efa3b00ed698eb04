/**
 * The id a client sees in an answer finds its ledger row: `/spend/logs?request_id=<id>`, as in
 * LiteLLM, whose `request_id` is the answer's id. Same-format answers keep the upstream's own id
 * (relayed unchanged); translated ones carry the id the gateway encoded. The gateway's call id
 * (`x-switchboard-call-id`) finds the row too.
 */
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import OpenAI from "openai";
import type { SpendLogJson } from "../../src/admin/responses.ts";
import { startAccountsGateway, TEST_MASTER_KEY, type AccountsGateway } from "../support/accounts.ts";
import { MESSAGE_IDS, startMockAnthropic, type MockAnthropic } from "../support/mock-anthropic.ts";
import { startMockUpstream, type MockUpstream } from "../support/mock-upstream.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-spend-request-id-");
let upstream: MockUpstream;
let claude: MockAnthropic;
let gateway: AccountsGateway;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  upstream = await startMockUpstream();
  claude = await startMockAnthropic();
  const dataDir = dirname(await tmp.file("marker", ""));
  gateway = await startAccountsGateway(
    {
      models: [
        { model_name: "gpt-up", model: "openai/gpt-4o-2024-08-06", api_base: upstream.url, api_key: "sk-upstream-request-id" },
        { model_name: "claude-up", model: "anthropic/text", api_base: claude.url, api_key: "sk-ant-upstream-request-id" },
      ],
    },
    { dataDir, budgetMode: "soft" },
  );
  openai = new OpenAI({ baseURL: gateway.baseURL, apiKey: TEST_MASTER_KEY, maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: gateway.origin, apiKey: TEST_MASTER_KEY, maxRetries: 0 });
});
afterAll(async () => {
  await gateway?.stop();
  await claude?.stop();
  await upstream?.stop();
});

const logs = async (query: string) => {
  const answer = await gateway.admin<SpendLogJson[]>("GET", `/spend/logs?${query}`);
  expect(answer.status).toBe(200);
  return answer.body;
};

/** The rows `request_id=<id>` finds: every one carries that id, and the call just made is among them. */
async function expectFound(id: string, callId: string | null, model: string): Promise<void> {
  expect(id).not.toBe("");
  const rows = await logs(`request_id=${encodeURIComponent(id)}`);
  expect(rows.length).toBeGreaterThan(0);
  for (const row of rows) expect(row.request_id).toBe(id);
  const row = rows.find((r) => r.call_id === callId);
  expect(row).toMatchObject({ request_id: id, call_id: callId, model, status: "success" });
  // The gateway's call id finds the same row.
  expect(await logs(`request_id=${callId}`)).toEqual([row as SpendLogJson]);
}

let unique = 0;
const prompt = () => `which row am I? ${++unique} ${crypto.randomUUID()}`;

describe("OpenAI clients", () => {
  test("same format, buffered: the upstream's chatcmpl id, relayed unchanged", async () => {
    const { data, response } = await openai.chat.completions.create({ model: "gpt-up", messages: [{ role: "user", content: prompt() }] }).withResponse();
    expect(data.id).toStartWith("chatcmpl-");
    await expectFound(data.id, response.headers.get("x-switchboard-call-id"), "gpt-up");
  });

  test("same format, streamed: the chunks' id", async () => {
    const { data: stream, response } = await openai.chat.completions.create({ model: "gpt-up", stream: true, messages: [{ role: "user", content: prompt() }] }).withResponse();
    const ids = new Set<string>();
    for await (const chunk of stream) ids.add(chunk.id);
    expect(ids.size).toBe(1);
    await expectFound([...ids][0] as string, response.headers.get("x-switchboard-call-id"), "gpt-up");
  });

  test("translated from Anthropic, buffered and streamed: the id the gateway encoded", async () => {
    const { data, response } = await openai.chat.completions.create({ model: "claude-up", messages: [{ role: "user", content: prompt() }] }).withResponse();
    await expectFound(data.id, response.headers.get("x-switchboard-call-id"), "claude-up");
    const streamed = await openai.chat.completions.create({ model: "claude-up", stream: true, messages: [{ role: "user", content: prompt() }] }).withResponse();
    const ids = new Set<string>();
    for await (const chunk of streamed.data) ids.add(chunk.id);
    expect(ids.size).toBe(1);
    await expectFound([...ids][0] as string, streamed.response.headers.get("x-switchboard-call-id"), "claude-up");
  });
});

describe("Anthropic clients", () => {
  const params = (model: string) => ({ model, max_tokens: 50, messages: [{ role: "user" as const, content: prompt() }] });

  test("same format, buffered and streamed: the upstream's msg id", async () => {
    const { data, response } = await anthropic.messages.create(params("claude-up")).withResponse();
    expect(data.id).toBe(MESSAGE_IDS.text);
    await expectFound(data.id, response.headers.get("x-switchboard-call-id"), "claude-up");
    const streamed = await anthropic.messages.create({ ...params("claude-up"), stream: true }).withResponse();
    let id = "";
    for await (const event of streamed.data) if (event.type === "message_start") id = event.message.id;
    expect(id).toBe(MESSAGE_IDS.text);
    await expectFound(id, streamed.response.headers.get("x-switchboard-call-id"), "claude-up");
  });

  test("translated from OpenAI, buffered and streamed: the msg_ id the gateway encoded", async () => {
    const { data, response } = await anthropic.messages.create(params("gpt-up")).withResponse();
    expect(data.id).toStartWith("msg_");
    await expectFound(data.id, response.headers.get("x-switchboard-call-id"), "gpt-up");
    const streamed = await anthropic.messages.create({ ...params("gpt-up"), stream: true }).withResponse();
    let id = "";
    for await (const event of streamed.data) if (event.type === "message_start") id = event.message.id;
    expect(id).toStartWith("msg_");
    await expectFound(id, streamed.response.headers.get("x-switchboard-call-id"), "gpt-up");
  });
});

test("an id nobody answered with finds nothing", async () => {
  expect(await logs("request_id=chatcmpl-nobody")).toEqual([]);
});
