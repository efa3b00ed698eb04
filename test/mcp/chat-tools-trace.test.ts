/**
 * One trace per MCP tool loop: every round's LLM span and every tool call's TOOL span share the first
 * round's trace, hang under the first round's span, and carry the turns the loop added (the second
 * round's input holds the tool's result).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { dirname } from "node:path";
import OpenAI from "openai";
import { Tracing } from "../../src/telemetry/tracing.ts";
import { startAccountsGateway, type AccountsGateway } from "../support/accounts.ts";
import { startMockMcpServer, text, type MockMcpServer } from "../support/mock-mcp.ts";
import { startMockToolModel, TOOL_MODEL_KEY, type MockToolModel } from "../support/mock-tool-model.ts";
import { exportedSpans, startOtlpReceiver, type DecodedSpan, type OtlpReceiver } from "../support/otlp-receiver.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-mcp-chat-trace-");
let model: MockToolModel;
let calc: MockMcpServer;
let receiver: OtlpReceiver;
let tracing: Tracing;
let gateway: AccountsGateway;

beforeAll(async () => {
  model = await startMockToolModel();
  calc = startMockMcpServer([{ name: "add", run: (args) => text(`sum=${Number(args.a) + Number(args.b)}`) }]);
  receiver = startOtlpReceiver();
  tracing = new Tracing({ endpoint: `${receiver.url}/v1/traces`, headers: {}, serviceName: "switchboard-test", redact: false, intervalMs: 20, exportTimeoutMs: 1_000 });
  gateway = await startAccountsGateway(
    { models: [{ model_name: "gpt-tools", model: "openai/gpt-4o-mini", api_base: model.openaiUrl, api_key: TOOL_MODEL_KEY }], mcp_servers: { calc: { url: calc.url } } },
    { dataDir: dirname(await tmp.file("marker", "")), tracing },
  );
});

afterAll(async () => {
  await gateway.stop();
  await calc.stop();
  await model.stop();
  await receiver.stop();
});

const spansOf = (traceId: string, count: number) => exportedSpans(receiver, () => tracing.flush(), (s) => s.traceId === traceId, `trace ${traceId}`, count);

for (const stream of [false, true]) {
  test(`${stream ? "streamed" : "buffered"}: two LLM spans and a TOOL span in one trace, under the first round`, async () => {
    const client = new OpenAI({ apiKey: "sk-master-Vq3xT9pL2mZ8rW4kN7bH5cJ1dF6gY0aE", baseURL: gateway.baseURL, maxRetries: 0 });
    const request = {
      model: "gpt-tools",
      messages: [{ role: "user" as const, content: 'CALL calc-add {"a": 40, "b": 2}' }],
      tools: [{ type: "mcp", server_url: "switchboard/mcp/calc", require_approval: "never" } as unknown as OpenAI.ChatCompletionTool],
    };
    let callId: string | null;
    if (stream) {
      const { data, response } = await client.chat.completions.create({ ...request, stream: true }).withResponse();
      let content = "";
      for await (const chunk of data) content += chunk.choices[0]?.delta.content ?? "";
      expect(content).toBe("Done: sum=42");
      callId = response.headers.get("x-switchboard-call-id");
    } else {
      const { data, response } = await client.chat.completions.create(request).withResponse();
      expect(data.choices[0]?.message.content).toBe("Done: sum=42");
      callId = response.headers.get("x-switchboard-call-id");
    }
    const traceId = (callId as string).replaceAll("-", "");
    const spans = await spansOf(traceId, 3);
    const llm = spans.filter((s) => s.attributes["openinference.span.kind"] === "LLM").sort((a, b) => Number(a.startTimeUnixNano - b.startTimeUnixNano));
    const tool = spans.find((s) => s.attributes["openinference.span.kind"] === "TOOL");
    expect(llm.length).toBe(2);
    const [first, second] = llm as [DecodedSpan, DecodedSpan];
    expect(first.parentSpanId).toBeUndefined();
    expect(second.parentSpanId).toBe(first.spanId);
    expect(tool?.parentSpanId).toBe(first.spanId);
    expect(tool?.attributes["tool.name"]).toBe("calc-add");
    // The second round's input is the conversation the loop built: the tool's result is its last message.
    const inputs = Object.entries(second.attributes).filter(([name]) => name.startsWith("llm.input_messages."));
    expect(inputs.some(([name, value]) => name.endsWith(".message.role") && value === "tool")).toBe(true);
    expect(inputs.some(([name, value]) => name.endsWith(".message.content") && value === "sum=42")).toBe(true);
    expect(String(second.attributes["output.value"] ?? "")).toContain("Done: sum=42");
  });
}
