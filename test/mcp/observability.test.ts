/**
 * Every MCP tools/call through the gateway is a TOOL span (OpenInference), a ledger row (priced per
 * call) and a call under the key's rate limits and budgets: the official SDK client against /mcp,
 * SDK mock servers upstream, spans to an OTLP receiver, rows read back through /spend/logs.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Tracing } from "../../src/telemetry/tracing.ts";
import { REDACTED } from "../../src/telemetry/openinference.ts";
import { startAccountsGateway, type AccountsGateway } from "../support/accounts.ts";
import { ErrorCode, McpError, startMockMcpServer, text, type MockMcpServer } from "../support/mock-mcp.ts";
import { startOtlpReceiver, type DecodedSpan, type OtlpReceiver } from "../support/otlp-receiver.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-mcp-obs-");
let paid: MockMcpServer;
let free: MockMcpServer;
let receiver: OtlpReceiver;
let tracing: Tracing;
let gateway: AccountsGateway;
const clients: Client[] = [];

beforeAll(async () => {
  paid = startMockMcpServer([
    { name: "echo", run: (args) => text(`echo: ${String(args.text)}`) },
    { name: "lookup", run: (args) => text(`found ${String(args.id)}`) },
    {
      name: "broken",
      run: () => {
        throw new McpError(ErrorCode.InvalidParams, "the id is not a number");
      },
    },
  ]);
  free = startMockMcpServer([{ name: "ping", run: () => text("pong") }]);
  receiver = startOtlpReceiver();
  tracing = new Tracing({ endpoint: `${receiver.url}/v1/traces`, headers: {}, serviceName: "switchboard-test", redact: false, intervalMs: 20, exportTimeoutMs: 1_000 });
  gateway = await startAccountsGateway(
    {
      mcp_servers: {
        paid: { url: paid.url, price_per_call: 0.002, tool_prices: { lookup: 0.25 } },
        free: { url: free.url },
      },
    },
    { dataDir: dirname(await tmp.file("marker", "")), tracing },
  );
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await gateway.stop();
  await paid.stop();
  await free.stop();
  await receiver.stop();
});

async function connect(key: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: "test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.origin}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}`, ...headers } } }));
  clients.push(client);
  return client;
}

async function newKey(body: Record<string, unknown> = {}): Promise<string> {
  const answer = await gateway.admin<{ key: string }>("POST", "/key/generate", body);
  expect(answer.status).toBe(200);
  return answer.body.key;
}

/** The TOOL span whose parameters hold `marker`, once exported. */
async function toolSpan(marker: string): Promise<DecodedSpan> {
  for (let i = 0; i < 200; i++) {
    await tracing.flush();
    const span = receiver.spans.find((s) => s.attributes["openinference.span.kind"] === "TOOL" && String(s.attributes["tool.parameters"]).includes(marker));
    if (span) return span;
    await Bun.sleep(10);
  }
  throw new Error(`no TOOL span with ${marker}`);
}

interface LogRow {
  call_type: string;
  model: string;
  custom_llm_provider: string | null;
  spend: number | null;
  spend_usd: string | null;
  total_tokens: number;
  status: string;
  outcome: string;
  error_code: string | null;
  team_id: string | null;
}

async function logsOf(key: string): Promise<LogRow[]> {
  const answer = await gateway.admin<LogRow[]>("GET", `/spend/logs?api_key=${encodeURIComponent(key)}`);
  expect(answer.status).toBe(200);
  return answer.body;
}

describe("MCP tool calls: spans", () => {
  test("a tools/call is a TOOL span: tool.name, tool.parameters, output.value, the MCP server", async () => {
    const client = await connect(await newKey({ key_alias: "span-key" }));
    await client.callTool({ name: "paid-echo", arguments: { text: "marker-span-1" } });
    const span = await toolSpan("marker-span-1");
    expect(span.attributes["tool.name"]).toBe("paid-echo");
    expect(JSON.parse(span.attributes["tool.parameters"] as string)).toEqual({ text: "marker-span-1" });
    expect(String(span.attributes["output.value"])).toContain("echo: marker-span-1");
    expect(span.attributes["switchboard.mcp_server"]).toBe("paid");
    expect(span.attributes["switchboard.mcp_tool"]).toBe("echo");
    expect(span.attributes["switchboard.key_alias"]).toBe("span-key");
    expect(span.status.code).toBe(0);
    expect(span.name).toBe("execute_tool paid-echo");
  });

  test("a failing tool call's span has status ERROR with the upstream's message", async () => {
    const client = await connect(await newKey());
    await expect(client.callTool({ name: "paid-broken", arguments: { id: "marker-span-2" } })).rejects.toThrow(/not a number/);
    const span = await toolSpan("marker-span-2");
    expect(span.status.code).toBe(2);
    expect(span.status.message).toContain("not a number");
  });

  test("redaction removes the parameters, the output and the error text from the span", async () => {
    const client = await connect(await newKey(), { "x-switchboard-redact": "true" });
    await client.callTool({ name: "paid-echo", arguments: { text: "secret-marker-3" } });
    await expect(client.callTool({ name: "paid-broken", arguments: { id: "secret-marker-4" } })).rejects.toThrow();
    await tracing.flush();
    for (let i = 0; i < 100 && receiver.spans.filter((s) => s.attributes["tool.parameters"] === REDACTED).length < 2; i++) {
      await Bun.sleep(10);
      await tracing.flush();
    }
    const redacted = receiver.spans.filter((s) => s.attributes["tool.parameters"] === REDACTED);
    expect(redacted.length).toBe(2);
    for (const span of redacted) expect(span.attributes["output.value"] ?? REDACTED).toBe(REDACTED);
    const everything = JSON.stringify(receiver.spans.map((s) => ({ a: s.attributes, st: s.status })));
    expect(everything).not.toContain("secret-marker");
    expect(everything).not.toContain("not a number\",\"st");
    expect(redacted.find((s) => s.status.code === 2)?.status.message).toBe("mcp.upstream_error");
  });
});

describe("MCP tool calls: the ledger", () => {
  test("each call is a row in /spend/logs: mcp_tool_call, the tool, provider mcp, no tokens, the configured price", async () => {
    const team = await gateway.admin<{ team_id: string }>("POST", "/team/new", {});
    const key = await newKey({ team_id: team.body.team_id });
    const client = await connect(key);
    await client.callTool({ name: "paid-echo", arguments: { text: "a" } });
    await client.callTool({ name: "paid-lookup", arguments: { id: 7 } });
    await client.callTool({ name: "free-ping" });
    await expect(client.callTool({ name: "paid-broken", arguments: { id: "x" } })).rejects.toThrow();
    const rows = await logsOf(key);
    const byModel = Object.fromEntries(rows.map((row) => [row.model, row]));
    expect(Object.keys(byModel).sort()).toEqual(["free-ping", "paid-broken", "paid-echo", "paid-lookup"]);
    for (const row of rows) {
      expect(row.call_type).toBe("mcp_tool_call");
      expect(row.custom_llm_provider).toBe("mcp");
      expect(row.total_tokens).toBe(0);
      expect(row.team_id).toBe(team.body.team_id);
    }
    expect(byModel["paid-echo"]?.spend_usd).toBe("0.002");
    expect(byModel["paid-lookup"]?.spend_usd).toBe("0.25");
    expect(byModel["free-ping"]?.spend).toBe(0);
    expect(byModel["paid-echo"]?.status).toBe("success");
    // The server answered with an error instead of running the tool: nothing is charged.
    expect(byModel["paid-broken"]).toMatchObject({ status: "failure", outcome: "error", error_code: "mcp.upstream_error", spend: 0 });
    const info = await gateway.admin<{ info: { spend: number } }>("GET", `/key/info?key=${encodeURIComponent(key)}`);
    expect(info.body.info.spend).toBeCloseTo(0.002 + 0.25, 9);
  });
});

describe("MCP tool calls: rate limits and budgets", () => {
  test("rpm_limit 1: the second call is refused with a message naming the limit and when to retry", async () => {
    const client = await connect(await newKey({ rpm_limit: 1 }));
    await client.callTool({ name: "free-ping" });
    await expect(client.callTool({ name: "free-ping" })).rejects.toThrow(/Rate limit reached for key .*1 requests per minute\. Retry after \d+ s\./);
  });

  test("a team's rpm_limit applies to its keys' tool calls", async () => {
    const team = await gateway.admin<{ team_id: string }>("POST", "/team/new", { rpm_limit: 1 });
    const client = await connect(await newKey({ team_id: team.body.team_id }));
    await client.callTool({ name: "free-ping" });
    await expect(client.callTool({ name: "free-ping" })).rejects.toThrow(/Rate limit reached for team/);
  });

  test("a key with max_budget 0 cannot call a priced tool, and can call a free one; the refusal leaves no row and never reaches the server", async () => {
    const key = await newKey({ max_budget: 0 });
    const client = await connect(key);
    const before = paid.methods.filter((method) => method === "tools/call").length;
    await expect(client.callTool({ name: "paid-echo", arguments: { text: "no" } })).rejects.toThrow(/budget/i);
    expect(paid.methods.filter((method) => method === "tools/call").length).toBe(before);
    expect((await client.callTool({ name: "free-ping" })).isError).toBeFalsy();
    expect((await logsOf(key)).map((row) => row.model)).toEqual(["free-ping"]);
  });

  test("in strict mode a tool's price is reserved: a budget smaller than the price refuses the call", async () => {
    const client = await connect(await newKey({ max_budget: 0.1 }));
    await expect(client.callTool({ name: "paid-lookup", arguments: { id: 1 } })).rejects.toThrow(/budget/i);
    expect((await client.callTool({ name: "paid-echo", arguments: { text: "fits" } })).isError).toBeFalsy();
  });
});
