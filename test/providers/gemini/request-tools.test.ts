import { describe, test } from "bun:test";
import { SKIP_THOUGHT_SIGNATURE } from "../../../src/providers/gemini/assistant-parts.ts";
import { planToolNames } from "../../../src/providers/tool-names.ts";
import { GEMINI_FUNCTION_NAMES } from "../../../src/providers/gemini/tool-names.ts";
import type { ChatRequest, ContentPart, Message, ToolDefinition } from "../../../src/canonical/chat.ts";
import { at, build, buildFor, DROP, expect, refused, user } from "./helpers.ts";

const WEATHER: ToolDefinition = {
  name: "get_weather",
  description: "Weather for a city",
  parameters: { $schema: "https://json-schema.org/draft/2020-12/schema", type: "object", properties: { city: { type: "string" }, unit: { enum: ["celsius", "fahrenheit"] } }, required: ["city"], additionalProperties: false },
};
const NO_ARGS: ToolDefinition = { name: "list_files", parameters: { type: "object", properties: {} } };

const call = (id: string, name: string, args: string): ContentPart => ({ type: "tool-call", id, name, arguments: args });
const result = (toolCallId: string, content: string, isError?: boolean): Message => ({ role: "tool", content: [{ type: "tool-result", toolCallId, content, ...(isError ? { isError } : {}) }] });

describe("tools and tool_choice", () => {
  test("tools become one functionDeclarations entry: JSON Schema cleaned of $schema, no schema for a function without parameters", () => {
    const { body } = build({ tools: [WEATHER, NO_ARGS, { ...WEATHER, description: "duplicate, ignored" }] });
    expect(body.tools).toEqual([
      {
        functionDeclarations: [
          {
            name: "get_weather",
            description: "Weather for a city",
            parametersJsonSchema: { type: "object", properties: { city: { type: "string" }, unit: { enum: ["celsius", "fahrenheit"] } }, required: ["city"], additionalProperties: false },
          },
          { name: "list_files" },
        ],
      },
    ]);
    expect(body.toolConfig).toBeUndefined();
  });

  test("tool_choice modes: auto -> AUTO, none -> NONE, required -> ANY, a named tool -> ANY with allowedFunctionNames", () => {
    const config = (toolChoice: ChatRequest["toolChoice"]) => build({ tools: [WEATHER, NO_ARGS], toolChoice }).body.toolConfig;
    expect(config({ type: "auto" })).toEqual({ functionCallingConfig: { mode: "AUTO" } });
    expect(config({ type: "none" })).toEqual({ functionCallingConfig: { mode: "NONE" } });
    expect(config({ type: "required" })).toEqual({ functionCallingConfig: { mode: "ANY" } });
    expect(config({ type: "tool", name: "get_weather" })).toEqual({ functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["get_weather"] } });
  });

  test("a forced tool call without tools is refused; auto or none without tools sends nothing", () => {
    expect(refused(() => build({ toolChoice: { type: "required" } })).details.param).toBe("tool_choice");
    expect(build({ toolChoice: { type: "auto" } }).body).toEqual({ contents: [{ role: "user", parts: [{ text: "Hi" }] }] });
  });

  test("parallel_tool_calls: false has no Gemini switch: refused, or dropped with drop_params", () => {
    expect(refused(() => build({ tools: [WEATHER], parallelToolCalls: false })).details.param).toBe("parallel_tool_calls");
    expect(build({ tools: [WEATHER], parallelToolCalls: false }, DROP).body.tools).toHaveLength(1);
    expect(build({ tools: [WEATHER], parallelToolCalls: true }).body.toolConfig).toBeUndefined();
  });

  test("Gemini's own tool objects pass through before the functions; another gateway's hosted tools are refused", () => {
    const { body } = build({ tools: [WEATHER], hostedTools: [{ googleSearch: {} }, { codeExecution: {} }] });
    expect([at(body, "tools", 0), at(body, "tools", 1)]).toEqual([{ googleSearch: {} }, { codeExecution: {} }]);
    expect(at(body, "tools", 2, "functionDeclarations", 0, "name")).toBe("get_weather");
    expect(refused(() => build({ hostedTools: [{ type: "web_search_preview" }] })).message).toContain("cannot run the hosted tool 'web_search_preview'");
    expect(build({ hostedTools: [{ type: "web_search_preview" }] }, DROP).body.tools).toBeUndefined();
  });

  test("names Gemini rejects are rewritten everywhere they appear and mapped back in the state", () => {
    const messages: Message[] = [user("Read it."), { role: "assistant", content: [call("c1", "read file", '{"path":"a.txt"}')] }, result("c1", "hello")];
    const { body, state } = build({ messages, tools: [{ name: "read file", parameters: { type: "object", properties: { path: { type: "string" } } } }], toolChoice: { type: "tool", name: "read file" } });
    expect(at(body, "tools", 0, "functionDeclarations", 0, "name")).toBe("read_file");
    expect(at(body, "toolConfig", "functionCallingConfig", "allowedFunctionNames")).toEqual(["read_file"]);
    expect(at(body, "contents", 1, "parts", 0, "functionCall", "name")).toBe("read_file");
    expect(at(body, "contents", 2, "parts", 0, "functionResponse", "name")).toBe("read_file");
    expect(state.reverseNames).toEqual(new Map([["read_file", "read file"]]));
  });

  test("name planning: valid names kept (dots and dashes too), clashes numbered, 64 characters at most, a leading digit gets an underscore", () => {
    const plan = planToolNames(["files.read", "my tool", "my_tool", "my-tool!", "9lives", "x".repeat(70) + "?"], GEMINI_FUNCTION_NAMES);
    expect([...plan.forward.values()]).toEqual(["files.read", "my_tool_2", "my_tool", "my-tool_", "_9lives", "x".repeat(64)]);
    expect(plan.reverse.get("my_tool_2")).toBe("my tool");
  });
});

describe("tool calls and results in the history", () => {
  test("parallel calls become functionCall parts with object args; results merge into one turn, ordered like the calls, matched by name", () => {
    const messages: Message[] = [
      user("Weather in Paris and Tokyo, and list files."),
      { role: "assistant", content: [{ type: "text", text: "Checking." }, call("call_a", "get_weather", '{"city":"Paris"}'), call("call_b", "get_weather", '{"city":"Tokyo"}'), call("call_c", "list_files", "")] },
      result("call_c", "a.txt\nb.txt"),
      result("call_b", '{"temp":31}'),
      result("call_a", "Service unavailable", true),
      user("Thanks!"),
    ];
    const { body } = build({ messages, tools: [WEATHER, NO_ARGS] });
    expect(body.contents).toEqual([
      { role: "user", parts: [{ text: "Weather in Paris and Tokyo, and list files." }] },
      {
        role: "model",
        parts: [
          { text: "Checking." },
          { functionCall: { name: "get_weather", args: { city: "Paris" } } },
          { functionCall: { name: "get_weather", args: { city: "Tokyo" } } },
          { functionCall: { name: "list_files", args: {} } },
        ],
      },
      {
        role: "user",
        parts: [
          { functionResponse: { name: "get_weather", response: { error: "Service unavailable" } } },
          { functionResponse: { name: "get_weather", response: { output: '{"temp":31}' } } },
          { functionResponse: { name: "list_files", response: { output: "a.txt\nb.txt" } } },
        ],
      },
      { role: "user", parts: [{ text: "Thanks!" }] },
    ]);
  });

  test("a result with text and an image: the text is the output, the image a part after the responses", () => {
    const messages: Message[] = [
      user("Screenshot?"),
      { role: "assistant", content: [call("s1", "screenshot", "{}")] },
      { role: "tool", content: [{ type: "tool-result", toolCallId: "s1", content: [{ type: "text", text: "Taken." }, { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBO" } }, { type: "text", text: "1 of 1" }] }] },
    ];
    expect(at(build({ messages }).body, "contents", 2)).toEqual({
      role: "user",
      parts: [{ functionResponse: { name: "screenshot", response: { output: "Taken.\n1 of 1" } } }, { inlineData: { mimeType: "image/png", data: "iVBO" } }],
    });
  });

  test("a result for an unknown call, or arguments that are not a JSON object, are refused", () => {
    expect(refused(() => build({ messages: [user("x"), result("nope", "y")] })).message).toContain("the tool result for 'nope' answers no tool call");
    expect(refused(() => build({ messages: [user("x"), { role: "assistant", content: [call("c", "f", "[1,2]")] }] })).message).toBe(
      "messages[1]: the arguments of tool call 'c' (f) must be a JSON object.",
    );
  });
});

describe("thought signatures on replayed turns", () => {
  const modelParts = (content: ContentPart[], model = "gemini-2.5-flash") => at(buildFor(model, { messages: [user("Go."), { role: "assistant", content }] }).body, "contents", 1, "parts");
  const signed = (signature: string, text = ""): ContentPart => ({ type: "thinking", text, signature });

  test("a signature goes to the function call after it; thought text is not sent back; unsigned and redacted thinking are dropped", () => {
    expect(modelParts([{ type: "thinking", text: "plain reasoning" }, { type: "redacted-thinking", data: "xx" }, signed("SIG1", "summary"), call("a", "f", "{}")])).toEqual([
      { functionCall: { name: "f", args: {} }, thoughtSignature: "SIG1" },
    ]);
  });

  test("OpenAI clients send thinking first: the signature skips the text and lands on the first call", () => {
    expect(modelParts([signed("SIG1"), { type: "text", text: "Let me look." }, call("a", "f", "{}"), call("b", "g", "{}")])).toEqual([
      { text: "Let me look." },
      { functionCall: { name: "f", args: {} }, thoughtSignature: "SIG1" },
      { functionCall: { name: "g", args: {} } },
    ]);
  });

  test("without calls a signature goes to the next text, and a trailing one to the part before it", () => {
    expect(modelParts([signed("SIG1"), { type: "text", text: "Answer." }])).toEqual([{ text: "Answer.", thoughtSignature: "SIG1" }]);
    expect(modelParts([{ type: "text", text: "Answer." }, signed("SIG2")])).toEqual([{ text: "Answer.", thoughtSignature: "SIG2" }]);
  });

  test("two signatures: the first stays with the text it preceded, the second goes to the call", () => {
    expect(modelParts([signed("S1"), { type: "text", text: "Hm." }, signed("S2"), call("a", "f", "{}")])).toEqual([
      { text: "Hm.", thoughtSignature: "S1" },
      { functionCall: { name: "f", args: {} }, thoughtSignature: "S2" },
    ]);
  });

  test("Gemini 3: unsigned calls get Google's stand-in signature, except after a call the same turn signed; older models get none", () => {
    expect(modelParts([call("a", "f", "{}"), call("b", "g", "{}")], "gemini-3-pro-preview")).toEqual([
      { functionCall: { name: "f", args: {} }, thoughtSignature: SKIP_THOUGHT_SIGNATURE },
      { functionCall: { name: "g", args: {} }, thoughtSignature: SKIP_THOUGHT_SIGNATURE },
    ]);
    expect(modelParts([signed("REAL"), call("a", "f", "{}"), call("b", "g", "{}")], "gemini-flash-latest")).toEqual([
      { functionCall: { name: "f", args: {} }, thoughtSignature: "REAL" },
      { functionCall: { name: "g", args: {} } },
    ]);
    expect(modelParts([call("a", "f", "{}")], "gemini-2.5-pro")).toEqual([{ functionCall: { name: "f", args: {} } }]);
  });
});
