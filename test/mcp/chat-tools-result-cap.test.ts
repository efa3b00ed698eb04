/**
 * A tool's result is bounded before the model reads it: every later round resends the conversation,
 * so an unbounded answer would be paid for again each round. What is cut is said, in bytes.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import OpenAI from "openai";
import { startAccountsGateway, type AccountsGateway } from "../support/accounts.ts";
import { startMockMcpServer, text, type MockMcpServer } from "../support/mock-mcp.ts";
import { startMockToolModel, TOOL_MODEL_KEY, type MockToolModel } from "../support/mock-tool-model.ts";
import { useTempDir } from "../support/temp-dir.ts";
import { MAX_TOOL_RESULT_BYTES, toolResultOf } from "../../src/calls/mcp/tool-results.ts";
import type { TextPart } from "../../src/canonical/chat.ts";

const tmp = useTempDir("switchboard-mcp-chat-cap-");
const MEGABYTE = 1024 * 1024;
let model: MockToolModel;
let server: MockMcpServer;
let gateway: AccountsGateway;

beforeAll(async () => {
  model = await startMockToolModel();
  server = startMockMcpServer([{ name: "dump", run: () => text("x".repeat(MEGABYTE)) }]);
  gateway = await startAccountsGateway(
    {
      models: [{ model_name: "gpt-tools", model: "openai/gpt-4o-mini", api_base: model.openaiUrl, api_key: TOOL_MODEL_KEY }],
      mcp_servers: { big: { url: server.url } },
      router: { num_retries: 0 },
    },
    { dataDir: dirname(await tmp.file("marker", "")) },
  );
});

afterAll(async () => {
  await gateway.stop();
  await server.stop();
  await model.stop();
});

const bytes = (value: string) => Buffer.byteLength(value, "utf8");

describe("a tool's result in chat", () => {
  test("1 MB of text reaches the model's next round as the bound plus a note of what was cut", async () => {
    const key = (await gateway.admin<{ key: string }>("POST", "/key/generate", {})).body.key;
    const before = model.requests.length;
    const answer = await new OpenAI({ apiKey: key, baseURL: gateway.baseURL, maxRetries: 0 }).chat.completions.create({
      model: "gpt-tools",
      messages: [{ role: "user", content: "CALL big-dump {}" }],
      tools: [{ type: "mcp", server_url: "switchboard/mcp/big", require_approval: "never" } as unknown as OpenAI.ChatCompletionTool],
    });
    expect(answer.choices[0]?.finish_reason).toBe("stop");
    const second = model.requests[before + 1];
    const result = (second?.body.messages as { role: string; content: string }[]).find((m) => m.role === "tool")?.content as string;
    expect(result.startsWith("x".repeat(MAX_TOOL_RESULT_BYTES))).toBe(true);
    const note = result.slice(MAX_TOOL_RESULT_BYTES);
    expect(note).toContain(`${MEGABYTE - MAX_TOOL_RESULT_BYTES} more bytes`);
    expect(bytes(note)).toBeLessThan(200);
  });
});

describe("the bound", () => {
  test("a result within it is given whole", () => {
    expect(toolResultOf("c", text("x".repeat(MAX_TOOL_RESULT_BYTES))).content).toBe("x".repeat(MAX_TOOL_RESULT_BYTES));
  });

  test("text is cut on a character boundary, never inside a multi-byte character", () => {
    const content = toolResultOf("c", text(`a${"é".repeat(MAX_TOOL_RESULT_BYTES)}`)).content as string;
    const kept = content.slice(0, content.indexOf("\n["));
    expect(kept.includes("\uFFFD")).toBe(false);
    expect(bytes(kept)).toBe(MAX_TOOL_RESULT_BYTES - 1);
    expect(content).toContain(`${2 * MAX_TOOL_RESULT_BYTES + 1 - bytes(kept)} more bytes`);
  });

  test("images count their base64 size: one over what is left is named instead, and the text after it still fits", () => {
    const data = "A".repeat(MAX_TOOL_RESULT_BYTES);
    const parts = toolResultOf("c", {
      content: [
        { type: "text", text: "before" },
        { type: "image", data, mimeType: "image/png" },
        { type: "text", text: "after" },
      ],
    }).content as TextPart[];
    expect(parts.map((part) => part.type)).toEqual(["text", "text", "text", "text"]);
    expect(parts[1]?.text).toContain("image/png");
    expect(parts[2]?.text).toBe("after");
    expect(parts[3]?.text).toContain(`${MAX_TOOL_RESULT_BYTES} more bytes`);
  });
});
