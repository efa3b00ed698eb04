import type { ChatRequest, Message } from "../../../src/canonical/chat.ts";
import { buildAnthropicRequest } from "../../../src/providers/anthropic/request.ts";
import type { AnthropicState } from "../../../src/providers/anthropic/state.ts";
import type { PassthroughOptions, Target } from "../../../src/providers/types.ts";

export const TARGET: Target = { model: "claude-sonnet-4-5-20250929", apiBase: "https://api.anthropic.com/v1", apiKey: "sk-ant-api03-test-key" };
export const STRICT: PassthroughOptions = { dropParams: false };
export const DROP: PassthroughOptions = { dropParams: true };

export const user = (text: string): Message => ({ role: "user", content: [{ type: "text", text }] });
export const assistant = (text: string): Message => ({ role: "assistant", content: [{ type: "text", text }] });
export const system = (text: string): Message => ({ role: "system", content: [{ type: "text", text }] });

/** A minimal valid request with the given fields on top. */
export function chatRequest(fields: Partial<ChatRequest> = {}): ChatRequest {
  return { model: "claude-sonnet-4-5", messages: [user("Hi")], stream: false, extra: {}, ...fields };
}

/** Builds and parses the body; returns it with the state and headers. */
export function build(fields: Partial<ChatRequest> = {}, options: PassthroughOptions = STRICT, target: Target = TARGET) {
  const { upstream, state } = buildAnthropicRequest(chatRequest(fields), target, options);
  // `any`: the body is arbitrary JSON the tests index into.
  return { body: JSON.parse(upstream.body) as Record<string, any>, state: state as AnthropicState, upstream };
}

/** Freezes an object graph so any mutation by the code under test throws. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
