import { describe, expect, test } from "bun:test";
import { mapAnthropicError, mapAnthropicStreamError } from "../../../src/providers/anthropic/errors.ts";
import { anthropic } from "../../../src/providers/anthropic/index.ts";

const body = (type: string, message: string) => JSON.stringify({ type: "error", error: { type, message }, request_id: "req_011CSHoEeqs5C35K2UUqR7Fy" });

describe("mapAnthropicError", () => {
  // status, body, code, client status, retry advice
  const table: [number, string, string, number, string][] = [
    [400, body("invalid_request_error", "messages.1.content.0.text: text content blocks must contain non-whitespace text"), "provider.bad_request", 400, "stop"],
    [400, body("invalid_request_error", "prompt is too long: 208310 tokens > 200000 maximum"), "provider.context_length_exceeded", 400, "try-next"],
    [401, body("authentication_error", "invalid x-api-key"), "provider.unauthenticated", 401, "try-next"],
    [402, body("billing_error", "Your credit balance is too low to access the Anthropic API."), "provider.forbidden", 402, "try-next"],
    [403, body("permission_error", "Your API key does not have permission to use the specified resource."), "provider.forbidden", 403, "try-next"],
    [404, body("not_found_error", "model: claude-9"), "provider.not_found", 404, "try-next"],
    [413, body("request_too_large", "Request exceeds the maximum allowed number of bytes."), "provider.body_too_large", 413, "stop"],
    [413, "Request Entity Too Large", "provider.body_too_large", 413, "stop"],
    [429, body("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"), "provider.rate_limited", 429, "try-next"],
    [500, body("api_error", "Internal server error"), "provider.server_error", 500, "try-next"],
    [504, body("timeout_error", "Request timed out"), "provider.timeout", 504, "try-next"],
    [529, body("overloaded_error", "Overloaded"), "provider.overloaded", 529, "try-next"],
  ];
  for (const [status, text, code, clientStatus, retry] of table) {
    test(`${status} ${text.slice(0, 40)} -> ${code} (${clientStatus}, ${retry})`, () => {
      const error = mapAnthropicError("Anthropic", status, text, new Headers());
      expect([error.code, error.status, error.retry]).toEqual([code as never, clientStatus, retry as never]);
      expect(error.message.startsWith(`Anthropic returned ${status}`)).toBe(true);
      expect(error.details.provider).toBe("Anthropic");
    });
  }

  test("the message names the provider and Anthropic's error type", () => {
    expect(mapAnthropicError("Anthropic", 529, body("overloaded_error", "Overloaded"), new Headers()).message).toBe("Anthropic returned 529 (overloaded_error): Overloaded");
  });

  test("retry-after, anthropic-ratelimit-* and request-id headers are passed on; others are not", () => {
    const headers = new Headers({
      "retry-after": "7",
      "anthropic-ratelimit-requests-remaining": "0",
      "anthropic-ratelimit-tokens-reset": "2025-06-01T00:00:07Z",
      "request-id": "req_1",
      "set-cookie": "a=b",
    });
    const error = mapAnthropicError("Anthropic", 429, body("rate_limit_error", "slow down"), headers);
    expect(error.details.retryAfter).toBe(7);
    expect(error.details.headers).toEqual({
      "retry-after": "7",
      "anthropic-ratelimit-requests-remaining": "0",
      "anthropic-ratelimit-tokens-reset": "2025-06-01T00:00:07Z",
      "request-id": "req_1",
    });
  });

  test("keys echoed by the upstream are redacted", () => {
    const error = anthropic.mapError(401, body("authentication_error", "invalid x-api-key sk-ant-api03-abcdefghijklmnop"), new Headers());
    expect(error.message).not.toContain("abcdefghijklmnop");
    expect(error.message).toContain("[redacted]");
  });
});

describe("mapAnthropicStreamError", () => {
  test("an in-stream error maps by its type", () => {
    const overloaded = mapAnthropicStreamError("Anthropic", body("overloaded_error", "Overloaded"));
    expect([overloaded.code, overloaded.status, overloaded.retry]).toEqual(["provider.overloaded", 529, "try-next"]);
    const api = mapAnthropicStreamError("Anthropic", body("api_error", "Internal server error"));
    expect([api.code, api.status]).toEqual(["provider.server_error", 500]);
    const limited = mapAnthropicStreamError("Anthropic", body("rate_limit_error", "Too many"));
    expect(limited.code).toBe("provider.rate_limited");
    expect(mapAnthropicStreamError("Anthropic", "garbage").code).toBe("provider.server_error");
  });
});
