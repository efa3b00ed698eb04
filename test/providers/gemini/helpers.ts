import { expect as bunExpect } from "bun:test";
import { buildGeminiRequest } from "../../../src/providers/gemini/request.ts";
import type { GeminiState } from "../../../src/providers/gemini/state.ts";
import type { PassthroughOptions, Target } from "../../../src/providers/types.ts";
import type { ChatRequest, Message } from "../../../src/canonical/chat.ts";
import { GatewayError } from "../../../src/canonical/errors.ts";

export const API_KEY = "AIzaSyD-test0123456789abcdefghijklmnopq";
export const TARGET: Target = { model: "gemini-2.5-flash", apiBase: "https://generativelanguage.googleapis.com/v1beta", apiKey: API_KEY };
export const STRICT: PassthroughOptions = { dropParams: false };
export const DROP: PassthroughOptions = { dropParams: true };

export const user = (text: string): Message => ({ role: "user", content: [{ type: "text", text }] });
export const assistant = (text: string): Message => ({ role: "assistant", content: [{ type: "text", text }] });
export const system = (text: string): Message => ({ role: "system", content: [{ type: "text", text }] });

/** A minimal valid request with the given fields on top. */
export function chatRequest(fields: Partial<ChatRequest> = {}): ChatRequest {
  return { model: "gemini-2.5-flash", messages: [user("Hi")], stream: false, extra: {}, ...fields };
}

/** `expect` with an untyped actual, so parsed JSON can be compared with plain literals. */
export function expect(actual: unknown) {
  return bunExpect(actual);
}

/** Builds and parses the body; returns it with the state and the upstream call. */
export function build(fields: Partial<ChatRequest> = {}, options: PassthroughOptions = STRICT, target: Target = TARGET) {
  const { upstream, state } = buildGeminiRequest(chatRequest(fields), target, options);
  return { body: JSON.parse(upstream.body) as Record<string, unknown>, state: state as GeminiState, upstream };
}

/** The value at a path of keys and indexes in parsed JSON; undefined where the path leaves it. */
export function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/** Builds for another model id. */
export const buildFor = (model: string, fields: Partial<ChatRequest> = {}, options: PassthroughOptions = STRICT) => build(fields, options, { ...TARGET, model });

/** Runs `fn`, expecting a caller.invalid_request GatewayError (400); returns it. */
export function refused(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (error) {
    bunExpect(error).toBeInstanceOf(GatewayError);
    bunExpect((error as GatewayError).code).toBe("caller.invalid_request");
    bunExpect((error as GatewayError).status).toBe(400);
    return error as GatewayError;
  }
  throw new Error("expected a GatewayError");
}

/** A fixture's text. */
export const fixtureText = (name: string): Promise<string> => Bun.file(new URL(`../../fixtures/gemini/${name}`, import.meta.url)).text();

/** A fixture's bytes. */
export const fixtureBytes = async (name: string): Promise<Uint8Array> => new Uint8Array(await Bun.file(new URL(`../../fixtures/gemini/${name}`, import.meta.url)).arrayBuffer());

/** Freezes an object graph so any mutation by the code under test throws. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

export const NO_STATE: GeminiState = { model: "gemini-2.5-flash", reverseNames: new Map() };
