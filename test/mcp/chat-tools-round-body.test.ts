/**
 * A later round of an MCP tool loop is admitted (strict budgets reserve its worst case) on its body in
 * the client's dialect, while the provider is sent the canonical turns. So that body must hold every
 * turn the provider is sent back, reasoning included: Anthropic bills the signed thinking of a tool loop
 * as input, whichever dialect the client speaks.
 */
import { describe, expect, test } from "bun:test";
import type { Message } from "../../src/canonical/chat.ts";
import { OPEN_CALLER } from "../../src/auth/caller.ts";
import { scanInput } from "../../src/budgets/input-scan.ts";
import type { DialectRuntime } from "../../src/calls/dialect.ts";
import { nextRound, type Loop } from "../../src/calls/mcp/loop.ts";
import type { CallDeps } from "../../src/calls/scope.ts";
import { anthropicRuntime } from "../../src/dialects/anthropic/runtime.ts";
import { openAIRuntime } from "../../src/dialects/openai/runtime.ts";
import { silentObserver } from "../../src/telemetry/calls.ts";

const THOUGHT = "I should add the numbers with the calculator before answering. ".repeat(40);
const REDACTED = "EncryptedThinkingPayload".repeat(20);

/** The turns a round with reasoning and a tool call adds to the conversation. */
const added: Message[] = [
  {
    role: "assistant",
    content: [
      { type: "thinking", text: THOUGHT, signature: "sig-1" },
      { type: "redacted-thinking", data: REDACTED },
      { type: "tool-call", id: "call_1", name: "calc-add", arguments: '{"a":1,"b":2}' },
    ],
  },
  { role: "tool", content: [{ type: "tool-result", toolCallId: "call_1", content: "3" }] },
];

function loopOf(dialect: DialectRuntime, body: Record<string, unknown>): Loop {
  const deps = { observer: silentObserver, dropParams: false } as unknown as CallDeps;
  const request = new Request("http://gateway.test/v1/chat", { method: "POST" });
  return {
    deps,
    mcp: undefined as never,
    dialect,
    input: { request, body, raw: { text: JSON.stringify(body), receivedAt: performance.now() }, server: undefined, caller: OPEN_CALLER },
    model: "claude-tools",
    stream: false,
    tools: new Map(),
    body,
    chat: dialect.codec.decodeChat(body),
    added,
    rounds: 0,
    totals: { priced: true, costNano: 0 },
    trace: undefined,
    abort: new AbortController(),
  };
}

const bytes = (text: string) => Buffer.byteLength(text, "utf8");

describe("a later round's admission body", () => {
  const cases: [string, DialectRuntime, Record<string, unknown>][] = [
    ["OpenAI", openAIRuntime, { model: "claude-tools", messages: [{ role: "user", content: "add 1 and 2" }] }],
    ["Anthropic", anthropicRuntime, { model: "claude-tools", max_tokens: 256, messages: [{ role: "user", content: "add 1 and 2" }] }],
  ];
  for (const [name, dialect, body] of cases) {
    test(`${name} client: the reasoning sent back to the provider is counted in the round's input bound`, () => {
      const next = nextRound(loopOf(dialect, body));
      // What the provider is sent holds the reasoning…
      expect(next.chat.messages.at(-2)?.content.map((part) => part.type)).toEqual(["thinking", "redacted-thinking", "tool-call"]);
      // …so the body the round is admitted on must count it, at least byte for byte.
      const first = scanInput(body).text;
      expect(scanInput(next.body).text - first).toBeGreaterThanOrEqual(bytes(THOUGHT) + bytes(REDACTED));
      // It is the client's wire: read back, it is the turns the provider got.
      expect(dialect.codec.decodeChat(next.body).messages.flatMap((m) => m.content.map((part) => part.type))).toEqual(["text", "thinking", "redacted-thinking", "tool-call", "tool-result"]);
    });
  }
});
