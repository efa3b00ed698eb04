/**
 * The gateway's closed set of error codes. The prefix is the fault domain:
 * `caller.*` (fix the request), `policy.*` (the key or config forbids it),
 * `provider.*` (the upstream failed), `gateway.*` (we failed).
 */
export type ErrorCode =
  | "caller.invalid_json"
  | "caller.invalid_request"
  | "caller.invalid_host"
  | "caller.model_not_found"
  | "caller.route_not_found"
  | "caller.body_too_large"
  | "policy.unauthenticated"
  | "policy.forbidden"
  | "policy.key_model_denied"
  | "policy.team_model_denied"
  | "policy.user_model_denied"
  | "policy.org_model_denied"
  | "policy.team_member_denied"
  | "policy.rate_limited"
  | "policy.budget_exceeded"
  | "policy.model_unpriced"
  | "provider.bad_request"
  | "provider.unauthenticated"
  | "provider.forbidden"
  | "provider.not_found"
  | "provider.body_too_large"
  | "provider.context_length_exceeded"
  | "provider.content_filtered"
  | "provider.rate_limited"
  | "provider.overloaded"
  | "provider.server_error"
  | "provider.timeout"
  | "provider.unreachable"
  | "provider.bad_response"
  | "gateway.draining"
  | "gateway.ledger_unavailable"
  | "gateway.internal";

/** What a client (or the router) should do next. */
export type RetryAdvice = "retry-same" | "try-next" | "stop";

interface CodeInfo {
  status: number;
  /** OpenAI's `error.type` family. */
  type: string;
  retry: RetryAdvice;
  /**
   * The type is LiteLLM's own name for this refusal, which its clients check: dialects with their
   * own type vocabulary (Anthropic's) render it as is instead of the family their status implies.
   */
  keepType?: true;
}

/** One row per code; `satisfies` makes a new code fail type-checking until it is mapped. */
export const ERROR_CODES = {
  "caller.invalid_json": { status: 400, type: "invalid_request_error", retry: "stop" },
  "caller.invalid_request": { status: 400, type: "invalid_request_error", retry: "stop" },
  "caller.invalid_host": { status: 400, type: "invalid_request_error", retry: "stop" },
  "caller.model_not_found": { status: 404, type: "not_found_error", retry: "stop" },
  "caller.route_not_found": { status: 404, type: "not_found_error", retry: "stop" },
  "caller.body_too_large": { status: 413, type: "invalid_request_error", retry: "stop" },
  "policy.unauthenticated": { status: 401, type: "authentication_error", retry: "stop" },
  "policy.forbidden": { status: 403, type: "permission_error", retry: "stop" },
  // A model the key, its team or its user may not use: 403 (LiteLLM answers 401) with LiteLLM's types.
  "policy.key_model_denied": { status: 403, type: "key_model_access_denied", retry: "stop", keepType: true },
  "policy.team_model_denied": { status: 403, type: "team_model_access_denied", retry: "stop", keepType: true },
  "policy.user_model_denied": { status: 403, type: "user_model_access_denied", retry: "stop", keepType: true },
  "policy.org_model_denied": { status: 403, type: "org_model_access_denied", retry: "stop", keepType: true },
  // A plain team member outside the team's member permissions: 403 (LiteLLM answers 401) with LiteLLM's type.
  "policy.team_member_denied": { status: 403, type: "team_member_permission_error", retry: "stop", keepType: true },
  "policy.rate_limited": { status: 429, type: "rate_limit_error", retry: "retry-same" },
  // 400, not 429: SDKs retry 429s, and retrying cannot make a spent budget available.
  "policy.budget_exceeded": { status: 400, type: "budget_exceeded", retry: "stop" },
  // A budgeted caller and a model without a price: not an exceeded budget, a setting the operator must add.
  "policy.model_unpriced": { status: 400, type: "invalid_request_error", retry: "stop" },
  "provider.bad_request": { status: 400, type: "invalid_request_error", retry: "stop" },
  "provider.unauthenticated": { status: 401, type: "authentication_error", retry: "try-next" },
  "provider.forbidden": { status: 403, type: "permission_error", retry: "try-next" },
  "provider.not_found": { status: 404, type: "not_found_error", retry: "try-next" },
  "provider.body_too_large": { status: 413, type: "invalid_request_error", retry: "stop" },
  "provider.context_length_exceeded": { status: 400, type: "invalid_request_error", retry: "try-next" },
  "provider.content_filtered": { status: 400, type: "invalid_request_error", retry: "try-next" },
  "provider.rate_limited": { status: 429, type: "rate_limit_error", retry: "try-next" },
  "provider.overloaded": { status: 503, type: "api_error", retry: "try-next" },
  "provider.server_error": { status: 502, type: "api_error", retry: "try-next" },
  "provider.timeout": { status: 504, type: "timeout_error", retry: "try-next" },
  "provider.unreachable": { status: 502, type: "api_error", retry: "try-next" },
  "provider.bad_response": { status: 502, type: "api_error", retry: "try-next" },
  "gateway.draining": { status: 503, type: "api_error", retry: "retry-same" },
  "gateway.ledger_unavailable": { status: 503, type: "api_error", retry: "retry-same" },
  "gateway.internal": { status: 500, type: "api_error", retry: "stop" },
} as const satisfies Record<ErrorCode, CodeInfo>;

export interface GatewayErrorDetails {
  /** The request field at fault, rendered as OpenAI's `error.param`. */
  param?: string;
  /** Overrides the code's default status (e.g. an upstream 500 vs 502). */
  status?: number;
  retry?: RetryAdvice;
  /** Seconds, from an upstream or limiter `Retry-After`. */
  retryAfter?: number;
  /** Headers to pass through to the client (e.g. upstream `x-ratelimit-*`). */
  headers?: Record<string, string>;
  /** OpenAI's `error.code` when it is not the code's short form (LiteLLM sends "400" for budgets). */
  wireCode?: string;
  /** Which provider/deployment failed, for logs and traces (never secrets). */
  provider?: string;
  /** The deployment whose answer this is (the last one the router tried). */
  deploymentId?: string;
  /** Every upstream attempt the router made before giving up, oldest first. */
  attempts?: readonly { deploymentId: string; model: string; code: string; status: number }[];
  cause?: unknown;
}

/** The one error type that crosses layers; dialects render it in their own wire shape. */
export class GatewayError extends Error {
  override readonly name = "GatewayError";
  readonly status: number;
  readonly type: string;
  readonly retry: RetryAdvice;
  /** Whether every dialect renders `type` as is (see CodeInfo.keepType). */
  readonly keepType: boolean;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: GatewayErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    const info: CodeInfo = ERROR_CODES[code];
    this.status = details.status ?? info.status;
    this.type = info.type;
    this.keepType = info.keepType === true;
    this.retry = details.retry ?? info.retry;
  }

  /** OpenAI's `error.code`: the code without its fault-domain prefix. */
  get shortCode(): string {
    if (this.details.wireCode !== undefined) return this.details.wireCode;
    return this.code.slice(this.code.indexOf(".") + 1);
  }
}

/** Wraps anything thrown into a GatewayError without leaking its text (it may hold secrets or a stack). */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  return new GatewayError("gateway.internal", "The gateway hit an internal error; the request was not completed.", {
    cause: error,
  });
}
