import { describe, expect, test } from "bun:test";
import { EMPTY_TEXT_PLACEHOLDER } from "../../../src/providers/anthropic/empty-text.ts";
import type { Message } from "../../../src/canonical/chat.ts";
import { assistant, build, system, user } from "./helpers.ts";

const PLACEHOLDER = { type: "text", text: EMPTY_TEXT_PLACEHOLDER };
const messagesOf = (messages: Message[]) => build({ messages }).body.messages;

describe("empty text never reaches Anthropic", () => {
  test("the placeholder is short and not blank", () => {
    expect(EMPTY_TEXT_PLACEHOLDER).toBe("(empty)");
  });

  test("a user or assistant message that is empty or whitespace-only gets the placeholder", () => {
    expect(messagesOf([user(""), assistant(" \n\t"), user("next")])).toEqual([
      { role: "user", content: [PLACEHOLDER] },
      { role: "assistant", content: [PLACEHOLDER] },
      { role: "user", content: [{ type: "text", text: "next" }] },
    ]);
  });

  test("a blank assistant turn at the end (a prefill of nothing) is left out, not prefilled with the placeholder", () => {
    expect(messagesOf([user("Hi"), assistant(" ")])).toEqual([{ role: "user", content: [{ type: "text", text: "Hi" }] }]);
  });

  test("a message with no parts at all gets the placeholder", () => {
    expect(messagesOf([{ role: "user", content: [] }])).toEqual([{ role: "user", content: [PLACEHOLDER] }]);
  });

  test("empty text blocks in a list with other content are removed; the rest is kept in order", () => {
    expect(
      messagesOf([
        {
          role: "user",
          content: [
            { type: "text", text: "" },
            { type: "text", text: "Look:" },
            { type: "text", text: "   " },
            { type: "image", source: { kind: "url", url: "https://example.com/a.png" } },
          ],
        },
      ]),
    ).toEqual([{ role: "user", content: [{ type: "text", text: "Look:" }, { type: "image", source: { type: "url", url: "https://example.com/a.png" } }] }]);
  });

  test("a list of only empty text blocks becomes one placeholder, keeping a cache breakpoint", () => {
    expect(
      messagesOf([
        {
          role: "user",
          content: [
            { type: "text", text: "" },
            { type: "text", text: " ", cacheControl: { type: "ephemeral" } },
          ],
        },
      ]),
    ).toEqual([{ role: "user", content: [{ ...PLACEHOLDER, cache_control: { type: "ephemeral" } }] }]);
  });

  test("a cache breakpoint on a removed blank block moves to the block before it", () => {
    expect(
      messagesOf([
        {
          role: "user",
          content: [
            { type: "text", text: "long context" },
            { type: "text", text: "", cacheControl: { type: "ephemeral" } },
          ],
        },
      ]),
    ).toEqual([{ role: "user", content: [{ type: "text", text: "long context", cache_control: { type: "ephemeral" } }] }]);
  });

  test("an assistant message with tool calls and no text sends just the tool_use blocks", () => {
    const messages = messagesOf([
      user("Weather?"),
      { role: "assistant", content: [{ type: "text", text: "" }, { type: "tool-call", id: "toolu_1", name: "get_weather", arguments: '{"city":"Paris"}' }] },
      { role: "tool", content: [{ type: "tool-result", toolCallId: "toolu_1", content: "18°C" }] },
    ]);
    expect(messages[1]).toEqual({ role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } }] });
  });

  test("an empty user message merged after tool results adds nothing", () => {
    const messages = messagesOf([
      user("Weather?"),
      { role: "assistant", content: [{ type: "tool-call", id: "toolu_1", name: "get_weather", arguments: "{}" }] },
      { role: "tool", content: [{ type: "tool-result", toolCallId: "toolu_1", content: "18°C" }] },
      user("  "),
    ]);
    expect(messages[2]).toEqual({ role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "18°C" }] });
  });

  test("blank tool-result content is left out (it is optional); blank text inside a result list is removed", () => {
    const messages = messagesOf([
      user("Run both"),
      {
        role: "assistant",
        content: [
          { type: "tool-call", id: "toolu_1", name: "a", arguments: "{}" },
          { type: "tool-call", id: "toolu_2", name: "b", arguments: "{}" },
          { type: "tool-call", id: "toolu_3", name: "c", arguments: "{}" },
        ],
      },
      {
        role: "tool",
        content: [
          { type: "tool-result", toolCallId: "toolu_1", content: "" },
          { type: "tool-result", toolCallId: "toolu_2", content: [{ type: "text", text: " " }] },
          { type: "tool-result", toolCallId: "toolu_3", content: [{ type: "text", text: "" }, { type: "text", text: "done" }], isError: true },
        ],
      },
    ]);
    expect(messages[2].content).toEqual([
      { type: "tool_result", tool_use_id: "toolu_1" },
      { type: "tool_result", tool_use_id: "toolu_2" },
      { type: "tool_result", tool_use_id: "toolu_3", content: [{ type: "text", text: "done" }], is_error: true },
    ]);
  });

  test("an empty system message is dropped, the others kept", () => {
    const { body } = build({ messages: [system(""), system("Be brief."), system("\n"), user("Hi")] });
    expect(body.system).toEqual([{ type: "text", text: "Be brief." }]);
  });
});
