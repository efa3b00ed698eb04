/**
 * MCP tools in chat at their edges: a model that will not stop calling tools, a tool call refused
 * while others of the round are queued, a client that leaves while the tools run, and server_url
 * values that are not names at all.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import OpenAI from "openai";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { startAccountsGateway, type AccountsGateway } from "../support/accounts.ts";
import { startMockMcpServer, text, type MockMcpServer } from "../support/mock-mcp.ts";
import { startMockToolModel, TOOL_MODEL_KEY, type MockToolModel } from "../support/mock-tool-model.ts";
import { useTempDir } from "../support/temp-dir.ts";
import { MAX_TOOL_ROUNDS } from "../../src/calls/mcp/loop.ts";

const tmp = useTempDir("switchboard-mcp-chat-bounds-");
let model: MockToolModel;
let slow: MockMcpServer;
let gateway: AccountsGateway;
let key: string;

/** `slow-wait` calls: how many started, and the gate that lets them answer. */
const waits = { started: 0, finished: 0, open: () => undefined as void, gate: Promise.resolve() };
function closeGate(): void {
  waits.gate = new Promise<void>((resolve) => (waits.open = resolve));
}

beforeAll(async () => {
  model = await startMockToolModel();
  slow = startMockMcpServer([
    {
      name: "wait",
      // The mock server awaits what a tool returns; a gated answer stands for a slow tool.
      run: (() => {
        waits.started++;
        return waits.gate.then(() => {
          waits.finished++;
          return text("waited");
        });
      }) as unknown as () => CallToolResult,
    },
    { name: "dear", run: () => text("paid") },
    { name: "upper", run: (args) => text(String(args.text).toUpperCase()) },
  ]);
  gateway = await startAccountsGateway(
    {
      models: [{ model_name: "gpt-tools", model: "openai/gpt-4o-mini", api_base: model.openaiUrl, api_key: TOOL_MODEL_KEY }],
      mcp_servers: { slow: { url: slow.url, tool_prices: { dear: 5 } } },
      router: { num_retries: 0 },
    },
    { dataDir: dirname(await tmp.file("marker", "")) },
  );
  key = (await gateway.admin<{ key: string }>("POST", "/key/generate", {})).body.key;
});

afterAll(async () => {
  waits.open();
  await gateway.stop();
  await slow.stop();
  await model.stop();
});

const openai = (k = key) => new OpenAI({ apiKey: k, baseURL: gateway.baseURL, maxRetries: 0 });
const slowTools = [{ type: "mcp", server_url: "switchboard/mcp/slow", require_approval: "never" } as unknown as OpenAI.ChatCompletionTool];
const calls = (name: string, count: number) => Array.from({ length: count }, () => `CALL ${name} {}`).join("; ");

async function until(check: () => boolean): Promise<boolean> {
  for (let i = 0; i < 200 && !check(); i++) await Bun.sleep(10);
  return check();
}

describe("rounds", () => {
  test("a model that keeps calling tools after tool_choice none gets its last calls returned, never run", async () => {
    const before = model.requests.length;
    const ran = slow.methods.filter((m) => m === "tools/call").length;
    const answer = await openai().chat.completions.create({ model: "gpt-tools", messages: [{ role: "user", content: "ALWAYS slow-upper" }], tools: slowTools });
    const sent = model.requests.slice(before);
    expect(sent.length).toBe(MAX_TOOL_ROUNDS + 1);
    expect(sent.at(-1)?.body.tool_choice).toBe("none");
    // The round after the last is the answer, whatever it holds: its calls go to the client.
    expect(answer.choices[0]?.finish_reason).toBe("tool_calls");
    expect((answer.choices[0]?.message.tool_calls?.[0] as OpenAI.ChatCompletionMessageFunctionToolCall).function.name).toBe("slow-upper");
    expect(slow.methods.filter((m) => m === "tools/call").length - ran).toBe(MAX_TOOL_ROUNDS);
  });

  test("streamed: the same bound, the last round's calls in the stream", async () => {
    const before = model.requests.length;
    const stream = await openai().chat.completions.create({ model: "gpt-tools", messages: [{ role: "user", content: "ALWAYS slow-upper" }], tools: slowTools, stream: true });
    const names: string[] = [];
    const finishes: string[] = [];
    for await (const chunk of stream) {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) if (call.function?.name) names.push(call.function.name);
      if (chunk.choices[0]?.finish_reason) finishes.push(chunk.choices[0].finish_reason);
    }
    expect(model.requests.length - before).toBe(MAX_TOOL_ROUNDS + 1);
    expect(names).toEqual(["slow-upper"]);
    expect(finishes).toEqual(["tool_calls"]);
  });
});

describe("a round's tool calls", () => {
  test("a call refused by the gateway ends the request, and the round's calls not yet started never start", async () => {
    // $1 covers the model's rounds, not the $5 tool: `dear` is refused while eight `wait` calls are queued behind it.
    const budgeted = (await gateway.admin<{ key: string }>("POST", "/key/generate", { max_budget: 1 })).body.key;
    closeGate();
    waits.started = 0;
    waits.finished = 0;
    const answer = await fetch(`${gateway.baseURL}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${budgeted}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-tools", max_tokens: 100, messages: [{ role: "user", content: `CALL slow-dear {}; ${calls("slow-wait", 8)}` }], tools: slowTools }),
    });
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { error: { message: string } }).error.message).toContain("budget");
    // Seven waits were running when the refusal came; they may finish, but the eighth must not start.
    expect(await until(() => waits.started === 7)).toBe(true);
    waits.open();
    expect(await until(() => waits.finished >= 7)).toBe(true);
    await Bun.sleep(100);
    expect(waits.started).toBe(7);
  });
});
