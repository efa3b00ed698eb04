/**
 * MCP tools in chat: `tools: [{"type": "mcp", "server_url": "litellm_proxy/mcp/<server>"}]` with the
 * official OpenAI and Anthropic SDKs against the gateway, a tool-using model upstream on both wires
 * (it checks every tool result answers a call of the turn before), and SDK MCP servers behind.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import { startAccountsGateway, type AccountsGateway } from "../support/accounts.ts";
import { startMockMcpServer, text, type MockMcpServer } from "../support/mock-mcp.ts";
import { ROUND_USAGE, startMockToolModel, TOOL_MODEL_KEY, type MockToolModel } from "../support/mock-tool-model.ts";
import { useTempDir } from "../support/temp-dir.ts";
import { MAX_TOOL_ROUNDS } from "../../src/calls/mcp/loop.ts";

const tmp = useTempDir("switchboard-mcp-chat-");
let model: MockToolModel;
let calc: MockMcpServer;
let other: MockMcpServer;
let gateway: AccountsGateway;
let key: string;

beforeAll(async () => {
  model = await startMockToolModel();
  calc = startMockMcpServer([
    { name: "add", description: "Adds a and b", run: (args) => text(String(Number(args.a) + Number(args.b))) },
    { name: "upper", run: (args) => text(String(args.text).toUpperCase()) },
    { name: "fail", run: () => ({ content: [{ type: "text", text: "the disk is full" }], isError: true }) },
  ]);
  other = startMockMcpServer([{ name: "ping", run: () => text("pong") }]);
  gateway = await startAccountsGateway(
    {
      models: [
        { model_name: "gpt-tools", model: "openai/gpt-4o-mini", api_base: model.openaiUrl, api_key: TOOL_MODEL_KEY },
        { model_name: "claude-tools", model: "anthropic/claude-sonnet-4-5", api_base: model.anthropicUrl, api_key: TOOL_MODEL_KEY },
      ],
      mcp_servers: { calc: { url: calc.url, tool_prices: { add: 0.01 } }, other: { url: other.url } },
      router: { num_retries: 0 },
    },
    { dataDir: dirname(await tmp.file("marker", "")) },
  );
  key = (await gateway.admin<{ key: string }>("POST", "/key/generate", {})).body.key;
});

afterAll(async () => {
  await gateway.stop();
  await calc.stop();
  await other.stop();
  await model.stop();
});

const openai = (k = key) => new OpenAI({ apiKey: k, baseURL: gateway.baseURL, maxRetries: 0 });
const anthropic = (k = key) => new Anthropic({ apiKey: k, baseURL: gateway.origin, maxRetries: 0 });
const mcpTool = (server: string, extra: Record<string, unknown> = {}) => ({ type: "mcp", server_url: `litellm_proxy/mcp/${server}`, require_approval: "never", ...extra }) as unknown as OpenAI.ChatCompletionTool;
const since = (n: number) => model.requests.slice(n);

describe("MCP tools in /v1/chat/completions (OpenAI SDK)", () => {
  test("the gateway lists the server's tools, runs the model's calls and answers with the result", async () => {
    const before = model.requests.length;
    const records = gateway.records.length;
    const { data: answer, response } = await openai()
      .chat.completions.create({ model: "gpt-tools", messages: [{ role: "user", content: 'CALL calc-add {"a": 2, "b": 3}' }], tools: [mcpTool("calc")] })
      .withResponse();
    expect(answer.choices[0]?.message.content).toBe("Done: 5");
    expect(answer.choices[0]?.finish_reason).toBe("stop");
    // Two rounds: usage is the sum (the second round's prompt is one token longer in the mock).
    expect(answer.usage).toMatchObject({ prompt_tokens: 2 * ROUND_USAGE.input + 1, completion_tokens: 2 * ROUND_USAGE.output });
    const sent = since(before);
    expect(sent.map((r) => r.invalid)).toEqual([undefined, undefined]);
    expect(sent[0]?.body.tools.map((t: { function: { name: string } }) => t.function.name).sort()).toEqual(["calc-add", "calc-fail", "calc-upper"]);
    expect(sent[1]?.body.messages.at(-1)).toMatchObject({ role: "tool", content: "5" });
    // Each round is a call of its own; the header is the total of the two gpt-4o-mini rounds and the 0.01 tool call.
    const rows = gateway.records.slice(records);
    expect(rows.map((r) => r.operation)).toEqual(["chat", "chat"]);
    expect(rows.every((r) => (r.costNano ?? 0) > 0)).toBe(true);
    const total = rows.reduce((sum, r) => sum + (r.costNano ?? 0), 0) + 10_000_000;
    expect(Math.round(Number(response.headers.get("x-switchboard-response-cost")) * 1e9)).toBe(total);
    expect(response.headers.get("x-switchboard-call-id")).toBe(rows[0]?.callId ?? null);
    // The tool call is a ledger row of its own, priced as configured.
    await gateway.accounts.accounting.writer.flush();
    const logs = await gateway.admin<{ call_type: string; spend: number; model: string }[]>("GET", `/spend/logs?api_key=${encodeURIComponent(key)}`);
    expect(logs.body.filter((row) => row.call_type === "mcp_tool_call").map((row) => [row.model, row.spend])).toContainEqual(["calc-add", 0.01]);
  });

  test("streamed: the text of every round reaches the client, one answer, the loop's usage at the end", async () => {
    const stream = await openai().chat.completions.create({
      model: "gpt-tools",
      messages: [{ role: "user", content: 'CALL calc-upper {"text": "abc"} THEN CALL calc-add {"a": 1, "b": 1}' }],
      tools: [mcpTool("calc")],
      stream: true,
      stream_options: { include_usage: true },
    });
    let content = "";
    const ids = new Set<string>();
    let usage: OpenAI.CompletionUsage | undefined;
    const finishes: string[] = [];
    for await (const chunk of stream) {
      ids.add(chunk.id);
      content += chunk.choices[0]?.delta.content ?? "";
      if (chunk.choices[0]?.delta.tool_calls) throw new Error("an MCP tool call reached the client");
      if (chunk.choices[0]?.finish_reason) finishes.push(chunk.choices[0].finish_reason);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(content).toBe("Done: 2");
    expect(ids.size).toBe(1);
    expect(finishes).toEqual(["stop"]);
    expect(usage).toMatchObject({ prompt_tokens: 3 * ROUND_USAGE.input + 3, completion_tokens: 3 * ROUND_USAGE.output });
  });

  test("parallel calls of one round all run, their results in the call order", async () => {
    const before = model.requests.length;
    const answer = await openai().chat.completions.create({
      model: "gpt-tools",
      messages: [{ role: "user", content: 'CALL calc-add {"a": 1, "b": 2}; CALL calc-upper {"text": "x"}; CALL other-ping {}' }],
      tools: [mcpTool("calc"), mcpTool("other")],
    });
    expect(answer.choices[0]?.message.content).toBe("Done: 3 | X | pong");
    expect(since(before).every((r) => r.invalid === undefined)).toBe(true);
  });

  test("require_approval (the default) returns the tool calls and runs nothing", async () => {
    const before = calc.methods.filter((m) => m === "tools/call").length;
    const answer = await openai().chat.completions.create({
      model: "gpt-tools",
      messages: [{ role: "user", content: 'CALL calc-add {"a": 2, "b": 3}' }],
      tools: [{ type: "mcp", server_url: "switchboard/mcp/calc" } as unknown as OpenAI.ChatCompletionTool],
    });
    expect(answer.choices[0]?.finish_reason).toBe("tool_calls");
    const call = answer.choices[0]?.message.tool_calls?.[0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(call.function.name).toBe("calc-add");
    expect(JSON.parse(call.function.arguments)).toEqual({ a: 2, b: 3 });
    expect(calc.methods.filter((m) => m === "tools/call").length).toBe(before);
  });

  test("require_approval by tool name: a tool in `never` runs, another is returned", async () => {
    const tools = [mcpTool("calc", { require_approval: { never: { tool_names: ["add"] } } })];
    const ran = await openai().chat.completions.create({ model: "gpt-tools", messages: [{ role: "user", content: 'CALL calc-add {"a": 1, "b": 1}' }], tools });
    expect(ran.choices[0]?.message.content).toBe("Done: 2");
    const held = await openai().chat.completions.create({ model: "gpt-tools", messages: [{ role: "user", content: 'CALL calc-upper {"text": "a"}' }], tools });
    expect(held.choices[0]?.finish_reason).toBe("tool_calls");
  });

  test("a call of the client's own function tool ends the loop with the tool calls", async () => {
    const answer = await openai().chat.completions.create({
      model: "gpt-tools",
      messages: [{ role: "user", content: 'CALL lookup {"q": 1}' }],
      tools: [mcpTool("calc"), { type: "function", function: { name: "lookup", parameters: { type: "object", properties: {} } } }],
    });
    expect(answer.choices[0]?.finish_reason).toBe("tool_calls");
    expect((answer.choices[0]?.message.tool_calls?.[0] as OpenAI.ChatCompletionMessageFunctionToolCall).function.name).toBe("lookup");
  });

  test("allowed_tools keeps only the named tools (the server's own name or the gateway's)", async () => {
    const before = model.requests.length;
    await openai().chat.completions.create({ model: "gpt-tools", messages: [{ role: "user", content: "SAY hi" }], tools: [mcpTool("calc", { allowed_tools: ["add", "calc-upper"] })] });
    expect(since(before)[0]?.body.tools.map((t: { function: { name: string } }) => t.function.name).sort()).toEqual(["calc-add", "calc-upper"]);
  });

  test("a tool's error result goes back to the model, which answers", async () => {
    const answer = await openai().chat.completions.create({ model: "gpt-tools", messages: [{ role: "user", content: "CALL calc-fail {}" }], tools: [mcpTool("calc")] });
    expect(answer.choices[0]?.message.content).toBe("Done: the disk is full");
  });

  test(`rounds are bounded: after ${MAX_TOOL_ROUNDS} rounds of calls the model is asked to answer without tools`, async () => {
    const before = model.requests.length;
    const answer = await openai().chat.completions.create({ model: "gpt-tools", messages: [{ role: "user", content: "FOREVER calc-upper" }], tools: [mcpTool("calc")] });
    expect(answer.choices[0]?.message.content).toBe("Stopped.");
    const sent = since(before);
    expect(sent.length).toBe(MAX_TOOL_ROUNDS + 1);
    expect(sent.at(-1)?.body.tool_choice).toBe("none");
    expect(sent.slice(0, -1).every((r) => r.body.tool_choice === undefined)).toBe(true);
  });

  test("tool_choice forcing an MCP tool holds for the first round only", async () => {
    const before = model.requests.length;
    const answer = await openai().chat.completions.create({
      model: "gpt-tools",
      messages: [{ role: "user", content: 'CALL calc-add {"a": 4, "b": 4}' }],
      tools: [mcpTool("calc")],
      tool_choice: "required",
    });
    expect(answer.choices[0]?.message.content).toBe("Done: 8");
    expect(since(before).map((r) => r.body.tool_choice)).toEqual(["required", undefined]);
  });
});

describe("MCP tools in /v1/messages (Anthropic SDK)", () => {
  const tools = [{ type: "mcp", server_url: "litellm_proxy/mcp/calc", require_approval: "never" }] as unknown as Anthropic.ToolUnion[];

  for (const target of ["claude-tools", "gpt-tools"]) {
    test(`buffered, on ${target}`, async () => {
      const before = model.requests.length;
      const answer = await anthropic().messages.create({ model: target, max_tokens: 256, messages: [{ role: "user", content: 'CALL calc-add {"a": 20, "b": 22}' }], tools });
      expect(answer.content).toEqual([{ type: "text", text: "Done: 42", citations: null } as never].map((b) => expect.objectContaining({ type: "text", text: (b as { text: string }).text })));
      expect(answer.stop_reason).toBe("end_turn");
      expect(answer.usage.output_tokens).toBe(2 * ROUND_USAGE.output);
      expect(since(before).map((r) => r.invalid)).toEqual([undefined, undefined]);
    });

    test(`streamed, on ${target}`, async () => {
      const stream = anthropic().messages.stream({ model: target, max_tokens: 256, messages: [{ role: "user", content: 'CALL calc-upper {"text": "mcp"}' }], tools });
      const message = await stream.finalMessage();
      expect(message.content.map((b) => (b.type === "text" ? b.text : b.type)).join("")).toBe("Done: MCP");
      expect(message.stop_reason).toBe("end_turn");
      expect(message.usage.output_tokens).toBe(2 * ROUND_USAGE.output);
    });
  }

  test("approval required: the tool_use block is returned", async () => {
    const answer = await anthropic().messages.create({
      model: "claude-tools",
      max_tokens: 256,
      messages: [{ role: "user", content: 'CALL calc-add {"a": 1, "b": 2}' }],
      tools: [{ type: "mcp", server_url: "litellm_proxy/mcp/calc", require_approval: "always" }] as unknown as Anthropic.ToolUnion[],
    });
    expect(answer.stop_reason).toBe("tool_use");
    expect(answer.content[0]).toMatchObject({ type: "tool_use", name: "calc-add", input: { a: 1, b: 2 } });
  });
});

describe("limits and cancellation", () => {
  test("each round is admitted: a key with rpm_limit 1 gets its 429 at the second round, and no tool result is lost silently", async () => {
    const limited = (await gateway.admin<{ key: string }>("POST", "/key/generate", { rpm_limit: 2 })).body.key;
    // Round one and the tool call take the two requests of the minute; round two is refused.
    const error = await openai(limited)
      .chat.completions.create({ model: "gpt-tools", messages: [{ role: "user", content: 'CALL calc-add {"a": 1, "b": 1}' }], tools: [mcpTool("calc")] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).message).toContain("requests per minute");
  });

  test("a client that leaves mid-stream aborts the round in flight, and no further round starts", async () => {
    model.chunkDelayMs = 40;
    try {
      const before = model.requests.length;
      const controller = new AbortController();
      const stream = await openai().chat.completions.create(
        { model: "gpt-tools", messages: [{ role: "user", content: 'CALL calc-add {"a": 1, "b": 1} SAY never' }], tools: [mcpTool("calc")], stream: true },
        { signal: controller.signal },
      );
      const seen: string[] = [];
      await (async () => {
        for await (const chunk of stream) {
          const text = chunk.choices[0]?.delta.content;
          if (text) {
            seen.push(text);
            controller.abort();
          }
        }
      })().catch(() => undefined);
      expect(seen[0]).toBe("Done: ");
      const aborted = await (async () => {
        for (let i = 0; i < 100 && model.aborted.length === 0; i++) await Bun.sleep(20);
        return model.aborted.length > 0;
      })();
      expect(aborted).toBe(true);
      await Bun.sleep(100);
      expect(since(before).length).toBe(2);
    } finally {
      model.chunkDelayMs = 0;
    }
  });
});

describe("what is refused", () => {
  const post = (body: Record<string, unknown>, k = key) =>
    fetch(`${gateway.baseURL}/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${k}`, "content-type": "application/json" }, body: JSON.stringify({ model: "gpt-tools", messages: [{ role: "user", content: "SAY hi" }], ...body }) });

  test("an MCP server the key may not use is a 403 naming it, and no model call", async () => {
    const limited = (await gateway.admin<{ key: string }>("POST", "/key/generate", { metadata: { mcp_servers: ["other"] } })).body.key;
    const before = model.requests.length;
    const answer = await post({ tools: [mcpTool("calc")] }, limited);
    expect(answer.status).toBe(403);
    const body = (await answer.json()) as { error: { message: string; type: string } };
    expect(body.error.message).toContain("'calc'");
    expect(model.requests.length).toBe(before);
    // Every server the key may use: only `other`'s tools are offered.
    const all = await openai(limited).chat.completions.create({ model: "gpt-tools", messages: [{ role: "user", content: "SAY hi" }], tools: [{ type: "mcp", server_url: "litellm_proxy", require_approval: "never" } as unknown as OpenAI.ChatCompletionTool] });
    expect(all.choices[0]?.message.content).toBe("hi");
    expect(since(before)[0]?.body.tools.map((t: { function: { name: string } }) => t.function.name)).toEqual(["other-ping"]);
  });

  test("/v1/messages: a tool other than an MCP entry still needs a name, refused before any model call (same-format bodies go upstream as received)", async () => {
    const before = model.requests.length;
    for (const path of ["/v1/messages", "/v1/messages/count_tokens"]) {
      for (const tool of [{ input_schema: { type: "object" } }, { type: "custom", input_schema: { type: "object" } }, { type: "web_search_20250305" }]) {
        const answer = await fetch(`${gateway.origin}${path}`, {
          method: "POST",
          headers: { "x-api-key": key, "content-type": "application/json" },
          body: JSON.stringify({ model: "claude-tools", max_tokens: 64, messages: [{ role: "user", content: "SAY hi" }], tools: [tool] }),
        });
        expect([path, answer.status]).toEqual([path, 400]);
        const body = (await answer.json()) as { type: string; error: { type: string; message: string } };
        expect(body.error.type).toBe("invalid_request_error");
        expect(body.error.message).toContain("tools.0.name");
      }
    }
    expect(model.requests.length).toBe(before);
  });

  test("a key's object_permission.mcp_tool_permissions: only its tools are offered to the model, and another is not run", async () => {
    const limited = (await gateway.admin<{ key: string }>("POST", "/key/generate", { object_permission: { mcp_tool_permissions: { calc: ["upper"] } } })).body.key;
    const before = model.requests.length;
    const calls = calc.methods.filter((method) => method === "tools/call").length;
    const answer = await openai(limited).chat.completions.create({ model: "gpt-tools", messages: [{ role: "user", content: 'CALL calc-add {"a": 2, "b": 3}' }], tools: [mcpTool("calc")] });
    expect(since(before)[0]?.body.tools.map((t: { function: { name: string } }) => t.function.name)).toEqual(["calc-upper"]);
    // The model cannot call a tool it was not offered (this mock says so), and no server ran it.
    expect(answer.choices[0]?.message.content).toBe("No tool calc-add.");
    expect(calc.methods.filter((method) => method === "tools/call").length).toBe(calls);
    const allowed = await openai(limited).chat.completions.create({ model: "gpt-tools", messages: [{ role: "user", content: 'CALL calc-upper {"text": "ok"}' }], tools: [mcpTool("calc")] });
    expect(allowed.choices[0]?.message.content).toBe("Done: OK");
  });

  test("a model the key may not use, or one that does not exist, is refused before any MCP server is asked for its tools", async () => {
    const narrow = (await gateway.admin<{ key: string }>("POST", "/key/generate", { models: ["claude-tools"] })).body.key;
    const lists = calc.methods.filter((m) => m === "tools/list").length;
    const before = model.requests.length;
    expect((await post({ tools: [mcpTool("calc")] }, narrow)).status).toBe(403);
    expect((await post({ model: "no-such-model", tools: [mcpTool("calc")] })).status).toBe(404);
    expect(calc.methods.filter((m) => m === "tools/list").length).toBe(lists);
    expect(model.requests.length).toBe(before);
  });

  test("an unknown server, a foreign URL, a missing server_url and n > 1 are 400s naming the field", async () => {
    for (const [body, param] of [
      [{ tools: [mcpTool("nope")] }, "tools[0].server_url"],
      [{ tools: [{ type: "mcp", server_url: "https://mcp.example.com/mcp", require_approval: "never" }] }, "tools[0].server_url"],
      [{ tools: [{ type: "function", function: { name: "f", parameters: {} } }, { type: "mcp" }] }, "tools"],
      [{ tools: [mcpTool("calc")], n: 2 }, "n"],
      [{ tools: [mcpTool("calc"), { type: "function", function: { name: "calc-add", parameters: {} } }] }, "tools"],
    ] as const) {
      const answer = await post(body as Record<string, unknown>);
      expect(answer.status).toBe(400);
      const error = ((await answer.json()) as { error: { param: string | null; type: string } }).error;
      expect(error.type).toBe("invalid_request_error");
      expect(error.param ?? "").toStartWith(param);
    }
  });
});
