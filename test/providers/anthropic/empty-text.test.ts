import { describe, expect, test } from "bun:test";
import { EMPTY_TEXT_PLACEHOLDER, systemWithoutBlankText, withoutBlankText } from "../../../src/providers/anthropic/empty-text.ts";
import type { Message } from "../../../src/canonical/chat.ts";
import { assistant, build, deepFreeze, system, user } from "./helpers.ts";

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

  test("a blank block with a cache breakpoint becomes the placeholder in its place, keeping the breakpoint (it no longer moves to the block before)", () => {
    expect(
      messagesOf([
        {
          role: "user",
          content: [
            { type: "text", text: "long context" },
            { type: "text", text: "", cacheControl: { type: "ephemeral" } },
            { type: "text", text: "question" },
          ],
        },
      ]),
    ).toEqual([{ role: "user", content: [{ type: "text", text: "long context" }, { ...PLACEHOLDER, cache_control: { type: "ephemeral" } }, { type: "text", text: "question" }] }]);
  });

  test("in a final assistant turn (a prefill) blank blocks are dropped, cached or not: the breakpoint moves to the block before", () => {
    expect(
      messagesOf([
        user("Hi"),
        {
          role: "assistant",
          content: [
            { type: "text", text: "Sure," },
            { type: "text", text: " ", cacheControl: { type: "ephemeral", ttl: "1h" } },
          ],
        },
      ]),
    ).toEqual([
      { role: "user", content: [{ type: "text", text: "Hi" }] },
      { role: "assistant", content: [{ type: "text", text: "Sure,", cache_control: { type: "ephemeral", ttl: "1h" } }] },
    ]);
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

  test("a blank system message with a cache breakpoint stays as the placeholder; a system of only blank text is not sent", () => {
    const { body } = build({ messages: [system("Be brief."), { role: "system", content: [{ type: "text", text: " ", cacheControl: { type: "ephemeral" } }] }, user("Hi")] });
    expect(body.system).toEqual([{ type: "text", text: "Be brief." }, { ...PLACEHOLDER, cache_control: { type: "ephemeral" } }]);
    expect("system" in build({ messages: [system(" "), user("Hi")] }).body).toBe(false);
  });

  test("an error tool result with nothing but blank text carries the placeholder (Anthropic wants an error to say something)", () => {
    const messages = messagesOf([
      user("Run it"),
      { role: "assistant", content: [{ type: "tool-call", id: "toolu_1", name: "a", arguments: "{}" }] },
      { role: "tool", content: [{ type: "tool-result", toolCallId: "toolu_1", content: " ", isError: true }] },
    ]);
    expect(messages[2].content).toEqual([{ type: "tool_result", tool_use_id: "toolu_1", content: EMPTY_TEXT_PLACEHOLDER, is_error: true }]);
  });
});

describe("the rule on the client's JSON (fast path)", () => {
  test("nothing blank: the same arrays come back, so nothing is re-serialised", () => {
    const messages = [{ role: "user", content: [{ type: "text", text: "hi" }, { type: "tool_result", tool_use_id: "t", content: [{ type: "text", text: "ok" }] }] }, { role: "assistant", content: "x" }];
    expect(withoutBlankText(messages)).toBe(messages);
    const blocks = [{ type: "text", text: "Be brief." }];
    expect(systemWithoutBlankText(blocks)).toBe(blocks);
    expect(systemWithoutBlankText("Be brief.")).toBe("Be brief.");
    expect(systemWithoutBlankText(undefined)).toBeUndefined();
  });

  test("the client's objects are never changed; unknown block fields are kept on a placeholder", () => {
    const block = { type: "text", text: "", cache_control: { type: "ephemeral" }, citations: [] };
    const messages = deepFreeze([{ role: "user", content: [block] }, { role: "assistant", content: " " }, { role: "user", content: "q" }]);
    expect(withoutBlankText(messages)).toEqual([
      { role: "user", content: [{ ...block, text: EMPTY_TEXT_PLACEHOLDER }] },
      { role: "assistant", content: EMPTY_TEXT_PLACEHOLDER },
      { role: "user", content: "q" },
    ]);
  });

  test("a prefill given as a blank string is dropped; an empty final assistant list is left as sent (Anthropic takes it)", () => {
    expect(withoutBlankText([{ role: "user", content: "q" }, { role: "assistant", content: "\n" }])).toEqual([{ role: "user", content: "q" }]);
    const emptyPrefill = [{ role: "user", content: "q" }, { role: "assistant", content: [] }];
    expect(withoutBlankText(emptyPrefill)).toBe(emptyPrefill);
  });
});
