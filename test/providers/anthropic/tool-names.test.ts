import { describe, expect, test } from "bun:test";
import { buildAnthropicRequest } from "../../../src/providers/anthropic/request.ts";
import { parseAnthropicResponse } from "../../../src/providers/anthropic/response.ts";
import { anthropicStreamReader } from "../../../src/providers/anthropic/stream.ts";
import type { ChatRequest, ToolDefinition } from "../../../src/canonical/chat.ts";
import { build, chatRequest, deepFreeze, STRICT, TARGET, user } from "./helpers.ts";

const tool = (name: string): ToolDefinition => ({ name, parameters: { type: "object", properties: {} } });
const toolNames = (body: Record<string, any>): string[] => body.tools.map((item: { name: string }) => item.name);

describe("tool names through the request, response and stream", () => {
  test("collision in both orders, via the request: tools keep unique names", () => {
    expect(toolNames(build({ tools: [tool("files.read"), tool("files_read")] }).body)).toEqual(["files_read_2", "files_read"]);
    expect(toolNames(build({ tools: [tool("files_read"), tool("files.read")] }).body)).toEqual(["files_read", "files_read_2"]);
  });

  test("the forward map applies to tool definitions, a named tool_choice and earlier assistant tool calls", () => {
    const { body, state } = build({
      messages: [
        user("Read it"),
        { role: "assistant", content: [{ type: "tool-call", id: "toolu_1", name: "files.read", arguments: "{}" }, { type: "tool-call", id: "toolu_2", name: "old/tool", arguments: "{}" }] },
        { role: "tool", content: [{ type: "tool-result", toolCallId: "toolu_1", content: "x" }, { type: "tool-result", toolCallId: "toolu_2", content: "y" }] },
      ],
      tools: [tool("files.read"), tool("get_weather")],
      toolChoice: { type: "tool", name: "files.read" },
    });
    expect(toolNames(body)).toEqual(["files_read", "get_weather"]);
    expect(body.tool_choice).toEqual({ type: "tool", name: "files_read" });
    expect(body.messages[1].content.map((block: { name: string }) => block.name)).toEqual(["files_read", "old_tool"]);
    // Only rewritten names are in the reverse map.
    expect([...state.reverseNames]).toEqual([
      ["files_read", "files.read"],
      ["old_tool", "old/tool"],
    ]);
  });

  test("no duplicate names reach the provider: a tool defined twice is sent once", () => {
    expect(toolNames(build({ tools: [tool("a.b"), tool("a.b")] }).body)).toEqual(["a_b"]);
  });

  test("hosted tools are never renamed and keep their exact objects; a client tool clashing with one moves aside", () => {
    const hosted = { type: "web_search_20250305", name: "web_search", max_uses: 5, allowed_domains: ["example.com"] };
    const { body } = build({ tools: [tool("web.search")], hostedTools: [hosted] });
    expect(body.tools).toEqual([{ name: "web_search_2", input_schema: { type: "object", properties: {} } }, hosted]);
  });

  test("the reverse map restores the client's names in a response", () => {
    const { state } = build({ tools: [tool("files.read")] });
    const result = parseAnthropicResponse(
      JSON.stringify({
        id: "msg_01",
        type: "message",
        role: "assistant",
        model: "claude-sonnet-4-5",
        content: [{ type: "tool_use", id: "toolu_9", name: "files_read", input: { path: "/a" } }],
        stop_reason: "tool_use",
        stop_sequence: null,
        usage: { input_tokens: 1, output_tokens: 1 },
      }),
      state,
    );
    expect(result.content).toEqual([{ type: "tool-call", id: "toolu_9", name: "files.read", arguments: '{"path":"/a"}' }]);
  });

  test("the reverse map restores the client's names in a stream", () => {
    const { state } = build({ tools: [tool("files.read")] });
    const reader = anthropicStreamReader(state);
    const parts = reader.event({ event: "content_block_start", data: JSON.stringify({ type: "content_block_start", index: 1, content_block: { type: "tool_use", id: "toolu_9", name: "files_read", input: {} } }) });
    expect(parts).toEqual([{ type: "tool-call-start", index: 1, id: "toolu_9", name: "files.read" }]);
  });

  test("the caller's objects are never mutated", () => {
    const request: ChatRequest = deepFreeze(
      chatRequest({
        messages: [user("go"), { role: "assistant", content: [{ type: "tool-call", id: "toolu_1", name: "a.b", arguments: "{}" }] }, { role: "tool", content: [{ type: "tool-result", toolCallId: "toolu_1", content: "ok" }] }],
        tools: [tool("a.b"), tool("a_b")],
        toolChoice: { type: "tool", name: "a.b" },
        hostedTools: [{ type: "web_search_20250305", name: "web_search" }],
      }),
    );
    const before = JSON.stringify(request);
    buildAnthropicRequest(request, TARGET, STRICT);
    expect(JSON.stringify(request)).toBe(before);
  });
});
