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

  test("a key's max_parallel_requests holds the round's calls to that many at a time, rather than refusing the ones over it", async () => {
    const limited = (await gateway.admin<{ key: string }>("POST", "/key/generate", { max_parallel_requests: 2 })).body.key;
    const answer = await openai(limited).chat.completions.create({
      model: "gpt-tools",
      messages: [{ role: "user", content: 'CALL slow-upper {"text": "a"}; CALL slow-upper {"text": "b"}; CALL slow-upper {"text": "c"}; CALL slow-upper {"text": "d"}' }],
      tools: slowTools,
    });
    expect(answer.choices[0]?.message.content).toBe("Done: A | B | C | D");
  });

  test("a client that leaves while the tools run cancels them; no round starts after, and the gateway logs no failure of its own", async () => {
    const own = (await gateway.admin<{ key: string }>("POST", "/key/generate", {})).body.key;
    closeGate();
    waits.started = 0;
    waits.finished = 0;
    const before = model.requests.length;
    const logged = gateway.loggedErrors.length;
    const controller = new AbortController();
    const stream = await openai(own).chat.completions.create(
      { model: "gpt-tools", messages: [{ role: "user", content: calls("slow-wait", 3) }], tools: slowTools, stream: true },
      { signal: controller.signal },
    );
    const reading = (async () => {
      for await (const _ of stream);
    })().catch(() => undefined);
    expect(await until(() => waits.started === 3)).toBe(true);
    controller.abort();
    await reading;
    // The three calls end cancelled before their servers answer: a row each, nothing charged.
    const toolRows = async () => {
      await gateway.accounts.accounting.writer.flush();
      const logs = await gateway.admin<{ call_type: string; spend: number }[]>("GET", `/spend/logs?api_key=${encodeURIComponent(own)}`);
      return logs.body.filter((row) => row.call_type === "mcp_tool_call");
    };
    let rows = await toolRows();
    for (let i = 0; i < 100 && rows.length < 3; i++) {
      await Bun.sleep(20);
      rows = await toolRows();
    }
    expect(rows.map((row) => row.spend)).toEqual([0, 0, 0]);
    expect(waits.finished).toBe(0);
    waits.open();
    await Bun.sleep(100);
    expect(model.requests.length - before).toBe(1);
    expect(gateway.loggedErrors.slice(logged).map((e) => e.message)).toEqual([]);
  });
});

describe("a stream cancelled between rounds", () => {
  test("cancelled while the next round starts, that round is ended too: its upstream aborted, recorded as cancelled", async () => {
    // In process (app.handle), so the request's own signal never aborts: the stream's cancel alone must end the round.
    model.laterRoundDelayMs = 200;
    model.chunkDelayMs = 50;
    try {
      const before = model.requests.length;
      const records = gateway.records.length;
      const response = await gateway.app.handle(
        new Request(`${gateway.baseURL}/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify({ model: "gpt-tools", messages: [{ role: "user", content: 'CALL slow-upper {"text": "a"}' }], tools: slowTools, stream: true }),
        }),
      );
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      await reader.read();
      expect(await until(() => model.requests.length - before === 2)).toBe(true);
      await reader.cancel();
      expect(await until(() => gateway.records.filter((r) => r.operation === "chat").length - records >= 2)).toBe(true);
      const rounds = gateway.records.slice(records).filter((r) => r.operation === "chat");
      expect(rounds.map((r) => r.outcome)).toEqual(["ok", "cancelled"]);
      expect(await until(() => model.aborted.includes(model.requests[before + 1] as never))).toBe(true);
    } finally {
      model.laterRoundDelayMs = 0;
      model.chunkDelayMs = 0;
    }
  });
});

describe("server_url", () => {
  test("a name that is not valid percent-encoding is a 400 naming the field, not the gateway's failure", async () => {
    const logged = gateway.loggedErrors.length;
    const answer = await fetch(`${gateway.baseURL}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-tools", messages: [{ role: "user", content: "SAY hi" }], tools: [{ type: "mcp", server_url: "switchboard/mcp/%E0%A4%A", require_approval: "never" }] }),
    });
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { error: { param: string } }).error.param).toBe("tools[0].server_url");
    expect(gateway.loggedErrors.length).toBe(logged);
  });
});
