import { describe, expect, test } from "bun:test";
import type { ChatRequest } from "../../../src/canonical/chat.ts";
import { openai } from "../../../src/providers/openai/index.ts";
import { reverseToolNamesInChunk, reverseToolNamesInCompletion, sanitiseOpenAIToolNames } from "../../../src/providers/openai/passthrough-names.ts";
import type { PassthroughInput, Target } from "../../../src/providers/types.ts";

const target: Target = { model: "gpt-4o", apiBase: "https://api.openai.test/v1", apiKey: "sk-test-key" };
const keep = { dropParams: false };
const LONG = `mcp__server__${"y".repeat(70)}`;
const input = (raw: string, stream = false): PassthroughInput => ({ raw, parsed: JSON.parse(raw), stream });
const fnTool = (name: string) => ({ type: "function", function: { name, parameters: { type: "object" } } });

describe("same-format OpenAI body", () => {
  test("valid names: nothing to edit, no reverse map, the client's text is sent", () => {
    const raw = JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }], tools: [fnTool("get_weather"), fnTool("x".repeat(64))], tool_choice: "auto" });
    expect(sanitiseOpenAIToolNames(JSON.parse(raw))).toEqual({ set: {}, reverse: new Map() });
    const built = openai.buildPassthrough!("chat", input(raw), target, keep);
    expect(built.body).toBe(raw);
    expect(built.reverseNames).toBeUndefined();
  });

  test("an invalid name in tools: only the tools member is re-serialised; the rest goes byte for byte", () => {
    const raw = `{"model": "gpt-4o", "temperature": 1.50, "messages": [{"role": "user", "content": "hi"}], "tools": [${JSON.stringify(fnTool("files.read"))}, ${JSON.stringify(fnTool("ok"))}], "x_vendor": {"a": 1e3}}`;
    const built = openai.buildPassthrough!("chat", input(raw), target, keep);
    expect(built.body).toBe(raw.replace(/"tools": \[.*\], "x_vendor"/, `"tools": ${JSON.stringify([fnTool("files_read"), fnTool("ok")])}, "x_vendor"`));
    expect(built.reverseNames).toEqual(new Map([["files_read", "files.read"]]));
  });

  test("a named tool_choice and earlier assistant tool_calls are renamed with the tools, one name per original", () => {
    const parsed = {
      tools: [fnTool(LONG), fnTool("a.b")],
      tool_choice: { type: "function", function: { name: "a.b" } },
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: LONG, arguments: "{}" } }, { id: "c2", type: "function", function: { name: "get_time", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "c1", content: "done" },
      ],
    };
    const { set, reverse } = sanitiseOpenAIToolNames(parsed);
    expect(JSON.parse(set.tools!)).toEqual([fnTool(LONG.slice(0, 64)), fnTool("a_b")]);
    expect(JSON.parse(set.tool_choice!)).toEqual({ type: "function", function: { name: "a_b" } });
    expect(JSON.parse(set.messages!)[1].tool_calls.map((call: any) => call.function.name)).toEqual([LONG.slice(0, 64), "get_time"]);
    expect([...reverse]).toEqual([
      [LONG.slice(0, 64), LONG],
      ["a_b", "a.b"],
    ]);
  });

  test("only the history holds an invalid name: only messages is rewritten", () => {
    const parsed = { tools: [fnTool("ok")], messages: [{ role: "assistant", content: null, tool_calls: [{ id: "c", type: "function", function: { name: "old/tool", arguments: "{}" } }] }] };
    expect(Object.keys(sanitiseOpenAIToolNames(parsed).set)).toEqual(["messages"]);
  });

  test("embeddings bodies are never looked at for tool names", () => {
    const raw = '{"model":"text-embedding-3-small","input":"x","tools":[{"type":"function","function":{"name":"a.b"}}]}';
    expect(openai.buildPassthrough!("embeddings", input(raw), target, keep).reverseNames).toBeUndefined();
  });
});

describe("the answer, with the client's names back", () => {
  const reverse = new Map([["files_read", "files.read"]]);

  test("a buffered completion: only choices is re-serialised; unknown names and other members stay", () => {
    const text = `{"id": "chatcmpl-1", "choices": [{"index": 0, "message": {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "files_read", "arguments": "{}"}}, {"id": "c2", "type": "function", "function": {"name": "other", "arguments": "{}"}}]}, "finish_reason": "tool_calls"}], "usage": {"prompt_tokens": 1.0}}`;
    const out = reverseToolNamesInCompletion(text, reverse);
    expect(JSON.parse(out).choices[0].message.tool_calls.map((call: any) => call.function.name)).toEqual(["files.read", "other"]);
    expect(out.startsWith('{"id": "chatcmpl-1", "choices": ')).toBe(true);
    expect(out.endsWith(', "usage": {"prompt_tokens": 1.0}}')).toBe(true);
    const untouched = text.replace('"files_read"', '"get_weather"');
    expect(reverseToolNamesInCompletion(untouched, reverse)).toBe(untouched);
    expect(reverseToolNamesInCompletion("not json", reverse)).toBe("not json");
  });

  test("stream chunks: only a chunk whose tool call carries a rewritten name changes", () => {
    const named = JSON.stringify({ id: "x", choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: "c1", type: "function", function: { name: "files_read", arguments: "" } }] }, finish_reason: null }] });
    expect(JSON.parse(reverseToolNamesInChunk(named, reverse)).choices[0].delta.tool_calls[0].function.name).toBe("files.read");
    const args = JSON.stringify({ id: "x", choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"files_read":1}' } }] } }] });
    expect(reverseToolNamesInChunk(args, reverse)).toBe(args);
    const text = JSON.stringify({ id: "x", choices: [{ index: 0, delta: { content: "files_read" } }] });
    expect(reverseToolNamesInChunk(text, reverse)).toBe(text);
    expect(reverseToolNamesInChunk("[DONE]", reverse)).toBe("[DONE]");
  });
});

describe("translated (canonical request to the OpenAI wire)", () => {
  const request: ChatRequest = {
    model: "gpt-4o",
    stream: false,
    extra: {},
    tools: [{ name: "files.read", parameters: { type: "object" } }, { name: LONG, parameters: { type: "object" } }],
    toolChoice: { type: "tool", name: "files.read" },
    messages: [
      { role: "user", content: [{ type: "text", text: "go" }] },
      { role: "assistant", content: [{ type: "tool-call", id: "c1", name: LONG, arguments: "{}" }] },
      { role: "tool", content: [{ type: "tool-result", toolCallId: "c1", content: "done" }] },
    ],
  };

  test("tools, tool_choice and history go up renamed; the state is the reverse map", () => {
    const { upstream, state } = openai.chat.buildRequest(request, target, keep);
    const body = JSON.parse(upstream.body);
    expect(body.tools.map((tool: any) => tool.function.name)).toEqual(["files_read", LONG.slice(0, 64)]);
    expect(body.tool_choice).toEqual({ type: "function", function: { name: "files_read" } });
    expect(body.messages[1].tool_calls[0].function.name).toBe(LONG.slice(0, 64));
    expect(state).toEqual(
      new Map([
        ["files_read", "files.read"],
        [LONG.slice(0, 64), LONG],
      ]),
    );
  });

  test("the answer and the stream give the client's names back", () => {
    const { state } = openai.chat.buildRequest(request, target, keep);
    const completion = JSON.stringify({ id: "c", choices: [{ index: 0, message: { role: "assistant", content: null, tool_calls: [{ id: "k", type: "function", function: { name: LONG.slice(0, 64), arguments: "{}" } }] }, finish_reason: "tool_calls" }] });
    expect(openai.chat.parseResponse(completion, state).content).toEqual([{ type: "tool-call", id: "k", name: LONG, arguments: "{}" }]);
    const reader = openai.chat.streamReader(state);
    const parts = reader.event({ data: JSON.stringify({ id: "c", choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: "k", type: "function", function: { name: "files_read", arguments: "" } }] } }] }) });
    expect(parts).toContainEqual({ type: "tool-call-start", index: 0, id: "k", name: "files.read" });
  });
});
