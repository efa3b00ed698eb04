import { buildBedrockRequest } from "../../../src/providers/bedrock/request.ts";
import type { BedrockState } from "../../../src/providers/bedrock/state.ts";
import type { PassthroughOptions, Target } from "../../../src/providers/types.ts";
import type { ChatRequest, Message } from "../../../src/canonical/chat.ts";
import { GatewayError } from "../../../src/canonical/errors.ts";

export const CLAUDE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
export const TARGET: Target = { model: CLAUDE, apiBase: "", region: "us-east-1", aws: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" } };
export const NOVA: Target = { ...TARGET, model: "us.amazon.nova-pro-v1:0" };
export const STRICT: PassthroughOptions = { dropParams: false };
export const DROP: PassthroughOptions = { dropParams: true };

export const user = (text: string): Message => ({ role: "user", content: [{ type: "text", text }] });
export const assistant = (text: string): Message => ({ role: "assistant", content: [{ type: "text", text }] });
export const system = (text: string): Message => ({ role: "system", content: [{ type: "text", text }] });

/** A minimal valid request with the given fields on top. */
export function chatRequest(fields: Partial<ChatRequest> = {}): ChatRequest {
  return { model: "claude-sonnet", messages: [user("Hi")], stream: false, extra: {}, ...fields };
}

/** Builds and parses the body (left as JSON.parse gives it, for the tests to index into); returns it with the state and the upstream request. */
export function build(fields: Partial<ChatRequest> = {}, options: PassthroughOptions = STRICT, target: Target = TARGET) {
  const { upstream, state } = buildBedrockRequest(chatRequest(fields), target, options);
  return { body: JSON.parse(upstream.body), state: state as BedrockState, upstream };
}

/** The GatewayError a call throws (fails the test if it throws anything else or nothing). */
export function refused(run: () => unknown): GatewayError {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error("expected a GatewayError");
}

/** Freezes an object graph so any mutation by the code under test throws. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
