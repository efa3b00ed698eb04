import { describe, expect, test } from "bun:test";
import type { ChatRequest, ToolDefinition } from "../../../src/canonical/chat.ts";
import { assistant, build, DROP, NOVA, refused, STRICT, system, user } from "./helpers.ts";

const WEATHER: ToolDefinition = { name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } };
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

describe("system and messages", () => {
  test("system messages join `system` in order; a cache marker becomes a cachePoint after its block; blank ones are left out", () => {
    const { body } = build({
      messages: [{ role: "system", content: [{ type: "text", text: "Be brief.", cacheControl: { type: "ephemeral" } }] }, user("Hi"), system("Answer in French."), system("  ")],
    });
    expect(body.system).toEqual([{ text: "Be brief." }, { cachePoint: { type: "default" } }, { text: "Answer in French." }]);
    expect("system" in build({ messages: [system(" "), user("Hi")] }).body).toBe(false);
  });

  test("consecutive same-role messages merge so roles alternate", () => {
    const { body } = build({ messages: [user("a"), user("b"), assistant("c"), assistant("d"), user("e")] });
    expect(body.messages).toEqual([
      { role: "user", content: [{ text: "a" }, { text: "b" }] },
      { role: "assistant", content: [{ text: "c" }, { text: "d" }] },
      { role: "user", content: [{ text: "e" }] },
    ]);
  });

  test("tool calls become toolUse; tool results go in a user turn, first, with status error when isError", () => {
    const { body } = build({
      tools: [WEATHER],
      messages: [
        user("Weather in Paris and Rome?"),
        {
          role: "assistant",
          content: [
            { type: "text", text: "Checking." },
            { type: "tool-call", id: "tooluse_A", name: "get_weather", arguments: '{"city":"Paris"}' },
            { type: "tool-call", id: "tooluse_B", name: "get_weather", arguments: "" },
          ],
        },
        user("(take your time)"),
        { role: "tool", content: [{ type: "tool-result", toolCallId: "tooluse_A", content: "18°C" }] },
        { role: "tool", content: [{ type: "tool-result", toolCallId: "tooluse_B", content: [{ type: "text", text: "city missing" }, { type: "image", source: { kind: "base64", mediaType: "image/png", data: PNG } }], isError: true }] },
      ],
    });
    expect(body.messages[1]).toEqual({
      role: "assistant",
      content: [{ text: "Checking." }, { toolUse: { toolUseId: "tooluse_A", name: "get_weather", input: { city: "Paris" } } }, { toolUse: { toolUseId: "tooluse_B", name: "get_weather", input: {} } }],
    });
    expect(body.messages[2]).toEqual({
      role: "user",
      content: [
        { toolResult: { toolUseId: "tooluse_A", content: [{ text: "18°C" }] } },
        { toolResult: { toolUseId: "tooluse_B", content: [{ text: "city missing" }, { image: { format: "png", source: { bytes: PNG } } }], status: "error" } },
        { text: "(take your time)" },
      ],
    });
  });

  test("tool-call arguments that are not a JSON object are refused by message", () => {
    const call = (args: string) => ({ messages: [user("x"), { role: "assistant" as const, content: [{ type: "tool-call" as const, id: "t", name: "f", arguments: args }] }] });
    expect(refused(() => build(call("{oops"))).details.param).toBe("messages[1]");
    expect(refused(() => build(call("[1]"))).message).toContain("must be a JSON object");
  });

  test("images: base64 and data: URIs inline with their format, s3:// by location; http URLs and other formats are refused even with drop_params", () => {
    const image = (source: ChatRequest["messages"][number]["content"][number]) => build({ messages: [{ role: "user", content: [{ type: "text", text: "What is it?" }, source] }] }, DROP).body.messages[0].content[1];
    expect(image({ type: "image", source: { kind: "base64", mediaType: "image/jpg", data: "AAAA" } })).toEqual({ image: { format: "jpeg", source: { bytes: "AAAA" } } });
    expect(image({ type: "image", source: { kind: "url", url: `data:image/webp;base64,${PNG}` } })).toEqual({ image: { format: "webp", source: { bytes: PNG } } });
    expect(image({ type: "image", source: { kind: "url", url: "s3://my-bucket/cats/tabby.PNG" } })).toEqual({ image: { format: "png", source: { s3Location: { uri: "s3://my-bucket/cats/tabby.PNG" } } } });
    const http = refused(() => image({ type: "image", source: { kind: "url", url: "https://example.com/cat.png" } }));
    expect([http.code, http.status, http.details.param]).toEqual(["caller.invalid_request", 400, "messages[0]"]);
    expect(http.message).toContain("Bedrock cannot fetch image URLs");
    expect(refused(() => image({ type: "image", source: { kind: "base64", mediaType: "image/bmp", data: "AAAA" } })).message).toContain("png, jpeg, gif and webp");
  });

  test("documents take a format from their media type and a name Converse accepts", () => {
    const { body } = build({
      messages: [
        {
          role: "user",
          content: [
            { type: "document", source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0x" }, title: "Q3 report_final.pdf" },
            { type: "document", source: { kind: "base64", mediaType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", data: "UEsDBA==" } },
            { type: "text", text: "Summarise both." },
          ],
        },
      ],
    });
    expect(body.messages[0].content.slice(0, 2)).toEqual([
      { document: { format: "pdf", name: "Q3 report final pdf", source: { bytes: "JVBERi0x" } } },
      { document: { format: "docx", name: "document 2", source: { bytes: "UEsDBA==" } } },
    ]);
    expect(refused(() => build({ messages: [{ role: "user", content: [{ type: "document", source: { kind: "base64", mediaType: "application/zip", data: "UEs=" } }] }] })).message).toContain("not 'application/zip'");
  });

  test("signed reasoning goes back as reasoningContent; unsigned reasoning is not sent; redacted reasoning goes back as redactedContent", () => {
    const { body } = build({
      messages: [
        user("27 * 453?"),
        {
          role: "assistant",
          content: [
            { type: "thinking", text: "27 * 453 = 12231.", signature: "EqQBCgIYAhIM" },
            { type: "thinking", text: "unsigned musing" },
            { type: "redacted-thinking", data: "EmwKAhgBEgy3" },
            { type: "text", text: "12,231" },
          ],
        },
        user("Thanks"),
      ],
    });
    expect(body.messages[1].content).toEqual([{ reasoningContent: { reasoningText: { text: "27 * 453 = 12231.", signature: "EqQBCgIYAhIM" } } }, { reasoningContent: { redactedContent: "EmwKAhgBEgy3" } }, { text: "12,231" }]);
  });

  test("parts a role cannot hold are refused", () => {
    expect(refused(() => build({ messages: [{ role: "assistant", content: [{ type: "image", source: { kind: "base64", mediaType: "image/png", data: PNG } }] }] })).details.param).toBe("messages[0]");
  });
});

describe("empty text (Converse rejects blank text and empty turns for every model)", () => {
  test("a blank user turn gets the placeholder; blank text beside other blocks is removed, or becomes the placeholder in its place when it carries a cache marker", () => {
    const { body } = build({
      messages: [
        user("   "),
        assistant("ok"),
        { role: "user", content: [{ type: "text", text: "Context" }, { type: "text", text: "", cacheControl: { type: "ephemeral", ttl: "1h" } }, { type: "text", text: " " }, { type: "text", text: "Question" }] },
      ],
    });
    expect(body.messages).toEqual([
      { role: "user", content: [{ text: "(empty)" }] },
      { role: "assistant", content: [{ text: "ok" }] },
      { role: "user", content: [{ text: "Context" }, { text: "(empty)" }, { cachePoint: { type: "default", ttl: "1h" } }, { text: "Question" }] },
    ]);
  });

  test("in a final assistant turn (a prefill) blank text is dropped, cached or not: its cache marker follows the block before; a blank cached system block stays as the placeholder", () => {
    const { body } = build({
      messages: [
        { role: "system", content: [{ type: "text", text: "Be brief." }, { type: "text", text: " ", cacheControl: { type: "ephemeral" } }] },
        user("Hi"),
        { role: "assistant", content: [{ type: "text", text: "Sure," }, { type: "text", text: "", cacheControl: { type: "ephemeral" } }] },
      ],
    });
    expect(body.system).toEqual([{ text: "Be brief." }, { text: "(empty)" }, { cachePoint: { type: "default" } }]);
    expect(body.messages[1]).toEqual({ role: "assistant", content: [{ text: "Sure," }, { cachePoint: { type: "default" } }] });
  });

  test("a blank assistant turn at the end (a prefill of nothing) is dropped; blank tool results carry the placeholder", () => {
    expect(build({ messages: [user("Hi"), assistant(" ")] }).body.messages).toEqual([{ role: "user", content: [{ text: "Hi" }] }]);
    const { body } = build({
      tools: [WEATHER],
      messages: [user("x"), { role: "assistant", content: [{ type: "text", text: "" }, { type: "tool-call", id: "t1", name: "get_weather", arguments: "{}" }] }, { role: "tool", content: [{ type: "tool-result", toolCallId: "t1", content: " " }] }],
    });
    expect(body.messages[1].content).toEqual([{ toolUse: { toolUseId: "t1", name: "get_weather", input: {} } }]);
    expect(body.messages[2].content).toEqual([{ toolResult: { toolUseId: "t1", content: [{ text: "(empty)" }] } }]);
  });

  test("an assistant turn left with nothing (only unsigned reasoning) gets the placeholder mid-conversation", () => {
    const { body } = build({ messages: [user("a"), { role: "assistant", content: [{ type: "thinking", text: "hmm" }] }, user("b")] });
    expect(body.messages[1]).toEqual({ role: "assistant", content: [{ text: "(empty)" }] });
  });

  test("the rules apply to non-Claude models too", () => {
    expect(build({ messages: [user(""), assistant("a"), user("b")] }, STRICT, NOVA).body.messages[0]).toEqual({ role: "user", content: [{ text: "(empty)" }] });
  });
});
