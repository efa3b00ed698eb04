import { APIError, InternalServerError, OverloadedError, RateLimitError } from "@anthropic-ai/sdk";
import { describe, expect, test } from "bun:test";
import { anthropicDialect } from "../../../src/dialects/anthropic/index.ts";
import { ERROR_CODES, GatewayError, type ErrorCode } from "../../../src/canonical/errors.ts";
import { clientAnswering } from "./sdk-stream.ts";

// Every gateway code: the status an Anthropic client sees, Anthropic's error type, and x-should-retry.
const TABLE: Record<ErrorCode, [number, string, string | null]> = {
  "caller.invalid_json": [400, "invalid_request_error", "false"],
  "caller.invalid_request": [400, "invalid_request_error", "false"],
  "caller.invalid_host": [400, "invalid_request_error", "false"],
  "caller.model_not_found": [404, "not_found_error", "false"],
  "caller.route_not_found": [404, "not_found_error", "false"],
  "caller.body_too_large": [413, "request_too_large", "false"],
  "policy.unauthenticated": [401, "authentication_error", "false"],
  "policy.forbidden": [403, "permission_error", "false"],
  // LiteLLM's own types for a model the key, its team or its user may not use: kept in every dialect.
  "policy.key_model_denied": [403, "key_model_access_denied", "false"],
  "policy.team_model_denied": [403, "team_model_access_denied", "false"],
  "policy.user_model_denied": [403, "user_model_access_denied", "false"],
  "policy.org_model_denied": [403, "org_model_access_denied", "false"],
  "policy.team_member_denied": [403, "team_member_permission_error", "false"],
  "policy.rate_limited": [429, "rate_limit_error", "true"],
  "policy.budget_exceeded": [400, "invalid_request_error", "false"],
  "policy.model_unpriced": [400, "invalid_request_error", "false"],
  "provider.bad_request": [400, "invalid_request_error", "false"],
  "provider.unauthenticated": [401, "authentication_error", null],
  "provider.forbidden": [403, "permission_error", null],
  "provider.not_found": [404, "not_found_error", null],
  "provider.body_too_large": [413, "request_too_large", "false"],
  "provider.context_length_exceeded": [400, "invalid_request_error", null],
  "provider.content_filtered": [400, "invalid_request_error", null],
  "provider.rate_limited": [429, "rate_limit_error", null],
  "provider.overloaded": [529, "overloaded_error", null],
  "provider.server_error": [502, "api_error", null],
  "provider.timeout": [504, "timeout_error", null],
  "provider.unreachable": [502, "api_error", null],
  "provider.bad_response": [502, "api_error", null],
  "gateway.draining": [503, "overloaded_error", "true"],
  "gateway.ledger_unavailable": [503, "overloaded_error", "true"],
  "gateway.internal": [500, "api_error", "false"],
};

describe("GatewayError -> Anthropic error response", () => {
  for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
    const [status, type, shouldRetry] = TABLE[code];
    test(`${code} -> ${status} ${type}`, async () => {
      const response = anthropicDialect.errorResponse(new GatewayError(code, `Failure for ${code}.`));
      expect(response.status).toBe(status);
      expect(response.headers.get("content-type")).toBe("application/json");
      expect(response.headers.get("x-should-retry")).toBe(shouldRetry);
      expect(await response.json()).toEqual({ type: "error", error: { type, message: `Failure for ${code}.` } });
    });
  }

  test("an upstream's own status override keeps Anthropic's type for it (500 api_error, 422 invalid_request_error)", async () => {
    const upstream500 = anthropicDialect.errorResponse(new GatewayError("provider.server_error", "boom", { status: 500 }));
    expect(upstream500.status).toBe(500);
    expect(((await upstream500.json()) as { error: { type: string } }).error.type).toBe("api_error");
    const unprocessable = anthropicDialect.errorResponse(new GatewayError("provider.bad_request", "bad", { status: 422 }));
    expect(((await unprocessable.json()) as { error: { type: string } }).error.type).toBe("invalid_request_error");
  });

  test("retry-after, passthrough headers and the caller's extra headers", () => {
    const error = new GatewayError("provider.rate_limited", "Acme rate-limited this deployment.", { retryAfter: 7, headers: { "anthropic-ratelimit-requests-remaining": "0" } });
    const response = anthropicDialect.errorResponse(error, { "x-switchboard-call-id": "call-1" });
    expect(response.headers.get("retry-after")).toBe("7");
    expect(response.headers.get("anthropic-ratelimit-requests-remaining")).toBe("0");
    expect(response.headers.get("x-switchboard-call-id")).toBe("call-1");
  });

  test("the official SDK raises the matching error classes with Anthropic's type and our message", async () => {
    const cases: [ErrorCode, new (...args: never[]) => APIError][] = [
      ["provider.overloaded", OverloadedError],
      ["policy.rate_limited", RateLimitError],
      ["gateway.internal", InternalServerError],
    ];
    for (const [code, errorClass] of cases) {
      const client = clientAnswering(anthropicDialect.errorResponse(new GatewayError(code, `Failure for ${code}.`)));
      const failure = await client.messages.create({ model: "m", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(errorClass);
      expect<string | null>((failure as APIError).type).toBe(TABLE[code][1]);
      expect((failure as APIError).apiMessage).toBe(`Failure for ${code}.`);
    }
  });
});
