import { describe, expect, test } from "bun:test";
import { countsAsFailure, failureKind, isRetryable, type FailureKind } from "../../src/router/classify.ts";
import { GatewayError, type ErrorCode } from "../../src/canonical/errors.ts";

const err = (code: ErrorCode, status?: number) => new GatewayError(code, "test", status === undefined ? {} : { status });

/** code -> [retryable, kind, counts as failure] at the code's default status. */
const TABLE: Record<ErrorCode, [boolean, FailureKind, boolean]> = {
  "caller.invalid_json": [false, "final", false],
  "caller.invalid_request": [false, "final", false],
  "caller.invalid_host": [false, "final", false],
  "caller.model_not_found": [false, "final", false],
  "caller.route_not_found": [false, "final", false],
  "caller.body_too_large": [false, "final", false],
  "policy.unauthenticated": [false, "final", false],
  "policy.forbidden": [false, "final", false],
  "policy.key_model_denied": [false, "final", false],
  "policy.team_model_denied": [false, "final", false],
  "policy.user_model_denied": [false, "final", false],
  "policy.org_model_denied": [false, "final", false],
  "policy.team_member_denied": [false, "final", false],
  "policy.rate_limited": [false, "final", false],
  "policy.budget_exceeded": [false, "final", false],
  "policy.model_unpriced": [false, "final", false],
  "provider.bad_request": [false, "final", false],
  "provider.unauthenticated": [false, "general", true],
  "provider.forbidden": [false, "general", true],
  "provider.not_found": [false, "general", true],
  "provider.body_too_large": [false, "final", false],
  "provider.context_length_exceeded": [false, "context_window", false],
  "provider.content_filtered": [false, "content_policy", false],
  "provider.rate_limited": [true, "general", true],
  "provider.overloaded": [true, "general", true],
  "provider.server_error": [true, "general", true],
  "provider.timeout": [true, "general", true],
  "provider.unreachable": [true, "general", true],
  "provider.bad_response": [true, "general", true],
  "gateway.draining": [false, "final", false],
  "gateway.ledger_unavailable": [false, "final", false],
  "gateway.internal": [false, "final", false],
};

describe("classify by code", () => {
  for (const [code, [retryable, kind, counts]] of Object.entries(TABLE) as [ErrorCode, [boolean, FailureKind, boolean]][]) {
    test(code, () => {
      const e = err(code);
      expect(isRetryable(e)).toBe(retryable);
      expect(failureKind(e)).toBe(kind);
      expect(countsAsFailure(e)).toBe(counts);
    });
  }
});

describe("classify by upstream status", () => {
  test("408/409/429/529/500/503 on a generic provider code are retryable", () => {
    for (const status of [408, 409, 429, 529, 500, 503]) {
      const e = err("provider.bad_request", status);
      expect([status, isRetryable(e)]).toEqual([status, true]);
      expect(failureKind(e)).toBe("general");
      expect(countsAsFailure(e)).toBe(true);
    }
  });

  test("400/401/403/404/413/422 are not retryable", () => {
    for (const status of [400, 401, 403, 404, 413, 422]) {
      for (const code of ["provider.bad_request", "provider.not_found", "provider.forbidden"] as const) {
        expect([code, status, isRetryable(err(code, status))]).toEqual([code, status, false]);
      }
    }
  });

  test("our own refusals are never retried, whatever their status", () => {
    for (const code of ["gateway.draining", "gateway.internal", "policy.rate_limited", "caller.invalid_request"] as const) {
      for (const status of [429, 500, 503]) expect([code, status, isRetryable(err(code, status))]).toEqual([code, status, false]);
    }
  });

  test("request-shaped failures stay final even with a 5xx status", () => {
    expect(isRetryable(err("provider.context_length_exceeded", 500))).toBe(false);
    expect(failureKind(err("provider.context_length_exceeded", 500))).toBe("context_window");
    expect(isRetryable(err("provider.body_too_large", 502))).toBe(false);
    expect(isRetryable(err("provider.content_filtered", 500))).toBe(false);
  });

  test("transient codes stay retryable even with a 4xx status", () => {
    expect(isRetryable(err("provider.timeout", 400))).toBe(true);
    expect(isRetryable(err("provider.rate_limited", 400))).toBe(true);
  });
});
