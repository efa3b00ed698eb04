import { describe, expect, test } from "bun:test";
import { geminiStreamError, mapGeminiError, mapGeminiStreamError } from "../../../src/providers/gemini/errors.ts";
import { fixtureText } from "./helpers.ts";

describe("mapGeminiError over recorded-shape error bodies", () => {
  // fixture, HTTP status, code, client status, retry advice, message
  const table: [string, number, string, number, string, string][] = [
    ["error-400.json", 400, "provider.bad_request", 400, "stop", "Gemini returned 400 (INVALID_ARGUMENT): * GenerateContentRequest.contents[1].parts: contents.parts must not be empty.\n"],
    ["error-400-context.json", 400, "provider.context_length_exceeded", 400, "try-next", "Gemini returned 400 (INVALID_ARGUMENT): The input token count (1205113) exceeds the maximum number of tokens allowed (1048576)."],
    ["error-400-api-key.json", 400, "provider.unauthenticated", 401, "try-next", "Gemini returned 400 (INVALID_ARGUMENT): API key not valid. Please pass a valid API key."],
    ["error-400-location.json", 400, "provider.forbidden", 403, "try-next", "Gemini returned 400 (FAILED_PRECONDITION): User location is not supported for the API use."],
    ["error-403.json", 403, "provider.forbidden", 403, "try-next", "Gemini returned 403 (PERMISSION_DENIED): Generative Language API has not been used in project 123456789012 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/generativelanguage.googleapis.com/overview?project=123456789012 then retry."],
    ["error-404.json", 404, "provider.not_found", 404, "try-next", "Gemini returned 404 (NOT_FOUND): models/gemini-9-ultra is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods."],
    ["error-429.json", 429, "provider.rate_limited", 429, "try-next", "Gemini returned 429 (RESOURCE_EXHAUSTED): You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits."],
    ["error-500.json", 500, "provider.server_error", 500, "try-next", "Gemini returned 500 (INTERNAL): An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting"],
    ["error-503.json", 503, "provider.overloaded", 503, "try-next", "Gemini returned 503 (UNAVAILABLE): The model is overloaded. Please try again later."],
  ];
  for (const [name, status, code, clientStatus, retry, message] of table) {
    test(`${name} -> ${code} (${clientStatus}, ${retry})`, async () => {
      const error = mapGeminiError("Gemini", status, await fixtureText(name), new Headers());
      expect([error.code, error.status, error.retry, error.message]).toEqual([code as never, clientStatus, retry as never, message]);
      expect(error.details.provider).toBe("Gemini");
    });
  }

  test("429: retry advice from Google's RetryInfo (34.4s -> 35); a Retry-After header wins; only retry and request-id headers are passed on", async () => {
    const body = await fixtureText("error-429.json");
    expect(mapGeminiError("Gemini", 429, body, new Headers()).details.retryAfter).toBe(35);
    const error = mapGeminiError("Gemini", 429, body, new Headers({ "retry-after": "7", "x-request-id": "req-1", "set-cookie": "a=b", "content-type": "application/json" }));
    expect(error.details.retryAfter).toBe(7);
    expect(error.details.headers).toEqual({ "retry-after": "7", "x-request-id": "req-1" });
  });

  test("status codes without a body shape: 504 timeout, 413 too large, plain text kept as the message", () => {
    const timeout = mapGeminiError("Gemini", 504, '{"error":{"code":504,"message":"Deadline expired before operation could complete.","status":"DEADLINE_EXCEEDED"}}', new Headers());
    expect([timeout.code, timeout.status]).toEqual(["provider.timeout", 504]);
    const large = mapGeminiError("Gemini", 413, "Request Entity Too Large", new Headers());
    expect([large.code, large.message]).toEqual(["provider.body_too_large", "Gemini returned 413: Request Entity Too Large"]);
    expect(mapGeminiError("Gemini", 502, "", new Headers()).message).toBe("Gemini returned 502: HTTP 502");
  });

  test("an error wrapped in an array (as non-SSE streams send it) is read the same", async () => {
    const error = mapGeminiError("Gemini", 400, `[${await fixtureText("error-400-api-key.json")}]`, new Headers());
    expect([error.code, error.status]).toEqual(["provider.unauthenticated", 401]);
  });

  test("keys echoed by the upstream are redacted; long messages are cut", () => {
    const echoed = mapGeminiError("Gemini", 400, JSON.stringify({ error: { code: 400, message: "Bad key AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW given", status: "INVALID_ARGUMENT" } }), new Headers());
    expect(echoed.message).toBe("Gemini returned 400 (INVALID_ARGUMENT): Bad key [redacted] given");
    const long = mapGeminiError("Gemini", 400, JSON.stringify({ error: { code: 400, message: "x".repeat(3000), status: "INVALID_ARGUMENT" } }), new Headers());
    expect(long.message.endsWith("… (truncated)")).toBe(true);
    expect(long.message.length).toBeLessThan(1100);
  });
});

describe("errors inside a stream", () => {
  test("mapped by Google's numeric code, else its status name, else as a server error", () => {
    const overloaded = mapGeminiStreamError("Gemini", '{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}');
    expect([overloaded.code, overloaded.status, overloaded.retry, overloaded.message]).toEqual(["provider.overloaded", 503, "try-next", "Gemini sent an error mid-stream (UNAVAILABLE): The model is overloaded."]);
    const limited = mapGeminiStreamError("Gemini", '{"error":{"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED"}}');
    expect([limited.code, limited.status]).toEqual(["provider.rate_limited", 429]);
    expect(mapGeminiStreamError("Gemini", "garbage").code).toBe("provider.server_error");
  });

  test("geminiStreamError finds an error event and leaves response chunks alone (even ones that mention 'error')", () => {
    expect(geminiStreamError("Gemini", { data: '{"error":{"code":500,"message":"Internal error encountered.","status":"INTERNAL"}}' })?.code).toBe("provider.server_error");
    expect(geminiStreamError("Gemini", { data: '{"candidates":[{"content":{"parts":[{"text":"an \\"error\\" here"}]}}]}' })).toBeUndefined();
    expect(geminiStreamError("Gemini", { data: "not json with \"error\"" })).toBeUndefined();
  });
});
