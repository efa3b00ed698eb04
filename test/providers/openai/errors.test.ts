import { describe, expect, test } from "bun:test";
import { mapOpenAIError, parseRetryAfter } from "../../../src/providers/openai/errors.ts";
import { redactUpstreamText } from "../../../src/providers/redact.ts";

const body = (error: unknown) => JSON.stringify({ error });

describe("mapOpenAIError", () => {
  const cases: [number, string, string, number][] = [
    [400, body({ message: "Invalid 'messages[0].role'", type: "invalid_request_error", param: "messages", code: null }), "provider.bad_request", 400],
    [400, body({ message: "This model's maximum context length is 128000 tokens.", code: "context_length_exceeded" }), "provider.context_length_exceeded", 400],
    [400, body({ message: "The response was filtered due to the prompt triggering content management policy." }), "provider.content_filtered", 400],
    [401, body({ message: "Incorrect API key provided" }), "provider.unauthenticated", 401],
    [403, body({ message: "Country not supported" }), "provider.forbidden", 403],
    [404, body({ message: "The model `gpt-9` does not exist" }), "provider.not_found", 404],
    [413, "Request Entity Too Large", "provider.body_too_large", 413],
    [422, JSON.stringify({ detail: [{ loc: ["body", "x"], msg: "extra fields not permitted" }] }), "provider.bad_request", 422],
    [429, body({ message: "Rate limit reached" }), "provider.rate_limited", 429],
    [500, body({ message: "The server had an error" }), "provider.server_error", 500],
    [503, "upstream connect error", "provider.overloaded", 503],
    [529, JSON.stringify({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }), "provider.overloaded", 529],
  ];
  for (const [status, text, code, clientStatus] of cases) {
    test(`${status} -> ${code} (${clientStatus})`, () => {
      const error = mapOpenAIError("Acme", status, text, new Headers());
      expect(error.code).toBe(code as never);
      expect(error.status).toBe(clientStatus);
      expect(error.message.startsWith(`Acme returned ${status}: `)).toBe(true);
    });
  }

  test("keeps the upstream param, Retry-After and x-ratelimit headers", () => {
    const headers = new Headers({ "retry-after": "7", "x-ratelimit-remaining-tokens": "0", "set-cookie": "a=b" });
    const error = mapOpenAIError("Acme", 429, body({ message: "slow down", param: "max_tokens" }), headers);
    expect(error.details.retryAfter).toBe(7);
    expect(error.details.param).toBe("max_tokens");
    expect(error.details.headers).toEqual({ "retry-after": "7", "x-ratelimit-remaining-tokens": "0" });
  });

  test("never shows a key the upstream echoed back, and truncates long text", () => {
    const error = mapOpenAIError("Acme", 401, body({ message: "Incorrect API key provided: sk-proj-abcdefghijklmnop1234. Also Bearer eyJhbGciOiJIUzI1NiJ9.x" }), new Headers());
    expect(error.message).not.toContain("abcdefghijklmnop1234");
    expect(error.message).not.toContain("eyJhbGci");
    expect(redactUpstreamText("x".repeat(5000)).length).toBeLessThan(1100);
    expect(redactUpstreamText("key=supersecretvalue here", ["supersecretvalue"])).toBe("key=[redacted] here");
  });
});

describe("parseRetryAfter", () => {
  test("seconds, milliseconds and HTTP dates", () => {
    expect(parseRetryAfter(new Headers({ "retry-after": "3" }))).toBe(3);
    expect(parseRetryAfter(new Headers({ "retry-after-ms": "1500" }))).toBe(2);
    const inTen = new Date(Date.now() + 10_000).toUTCString();
    const seconds = parseRetryAfter(new Headers({ "retry-after": inTen })) ?? -1;
    expect(seconds).toBeGreaterThanOrEqual(9);
    expect(seconds).toBeLessThanOrEqual(11);
    expect(parseRetryAfter(new Headers())).toBeUndefined();
  });
});
