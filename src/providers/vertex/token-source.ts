import { GatewayError, type ErrorCode } from "../../canonical/errors.ts";
import { redactUpstreamText } from "../redact.ts";
import { isRedirect, NO_REDIRECTS, redirectError } from "../redirect.ts";
import { importRs256PrivateKey, signRs256Jwt } from "./jwt.ts";
import type { ServiceAccount } from "./service-account.ts";

/** The OAuth scope Vertex AI calls need. */
export const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";
/** RFC 7523's grant type: a signed JWT exchanged for an access token. */
export const JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/** Google caps an assertion's lifetime at one hour. */
const ASSERTION_LIFETIME_S = 3600;
const PROVIDER = "Vertex AI";

/** How a token source reaches Google and keeps time. */
export interface GoogleTokenSourceOptions {
  /** Sends the token request (the gateway's transport; tests inject one). */
  fetch: (url: string, init: RequestInit) => Promise<Response>;
  /** Milliseconds since the epoch; defaults to Date.now. */
  now?: () => number;
  /** Refresh this long before the token expires (default 5 minutes; at most half the token's lifetime). */
  refreshMarginMs?: number;
  /** Default: cloud-platform. */
  scope?: string;
  /** Gives up on the token endpoint after this long (default 10 s). */
  timeoutMs?: number;
}

interface CachedToken {
  value: string;
  refreshAt: number;
  expiresAt: number;
}

/** The auth failure a token request ended in; the message names the account, never the key or assertion. */
function tokenError(code: ErrorCode, message: string, cause?: unknown): GatewayError {
  return new GatewayError(code, message, { provider: PROVIDER, ...(cause === undefined ? {} : { cause }) });
}

/** The error code for a token endpoint's HTTP status: bad credentials are the deployment's, 429/5xx are transient. */
function codeForStatus(status: number): ErrorCode {
  if (status === 429) return "provider.rate_limited";
  if (status >= 500) return "provider.server_error";
  return "provider.unauthenticated";
}

/**
 * Access tokens for one service account: signs an RS256 assertion, exchanges it at `token_uri`,
 * and caches the token until `refreshMarginMs` before it expires. Concurrent callers share one
 * exchange; a failed exchange is not cached (the next call tries again), except that a token still
 * valid inside the refresh margin is served when its refresh fails.
 */
export class GoogleTokenSource {
  private cached: CachedToken | undefined;
  private inflight: Promise<string> | undefined;
  private key: Promise<CryptoKey> | undefined;
  private readonly now: () => number;

  constructor(
    readonly account: ServiceAccount,
    private readonly options: GoogleTokenSourceOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** A valid access token, fetching a new one only when the cached one is due for refresh. */
  token(): Promise<string> {
    const cached = this.cached;
    if (cached && this.now() < cached.refreshAt) return Promise.resolve(cached.value);
    if (!this.inflight) {
      const exchange = this.exchange();
      this.inflight = exchange;
      // Cleared once settled, so a failure is never cached.
      exchange.then(
        () => this.clear(exchange),
        () => this.clear(exchange),
      );
    }
    if (!cached) return this.inflight;
    return this.inflight.catch((error: unknown) => {
      if (this.now() < cached.expiresAt) return cached.value;
      throw error;
    });
  }

  /**
   * Drops the cached token (the API answered 401 with it: revoked or rotated), so the next call
   * exchanges anew. Given the token that was refused, only that one: a 401 to a call that started
   * before a refresh must not throw the fresh token away.
   */
  invalidate(refused?: string): void {
    if (refused === undefined || this.cached?.value === refused) this.cached = undefined;
  }

  private clear(exchange: Promise<string>): void {
    if (this.inflight === exchange) this.inflight = undefined;
  }

  private signingKey(): Promise<CryptoKey> {
    if (!this.key) {
      this.key = importRs256PrivateKey(this.account.private_key).catch((error: unknown) => {
        this.key = undefined;
        throw tokenError(
          "provider.unauthenticated",
          `The private_key of Google service account ${this.account.client_email} is not a readable PKCS#8 RSA key; download a new JSON key.`,
          error instanceof Error ? error.name : undefined,
        );
      });
    }
    return this.key;
  }

  private async exchange(): Promise<string> {
    const { account } = this;
    const startedAt = this.now();
    const issuedAt = Math.floor(startedAt / 1000);
    const header = { alg: "RS256", typ: "JWT", kid: account.private_key_id };
    const claims = {
      iss: account.client_email,
      scope: this.options.scope ?? CLOUD_PLATFORM_SCOPE,
      aud: account.token_uri,
      iat: issuedAt,
      exp: issuedAt + ASSERTION_LIFETIME_S,
    };
    const assertion = await signRs256Jwt(await this.signingKey(), header, claims);
    const who = `Google service account ${account.client_email}`;
    let response: Response;
    let text: string;
    try {
      response = await this.options.fetch(account.token_uri, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion }).toString(),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        // The signed assertion is a credential: it goes to token_uri and nowhere else.
        redirect: NO_REDIRECTS,
      });
      if (isRedirect(response.status)) throw redirectError(`The token endpoint of ${who}`, response, account.token_uri, "check the token_uri of the service-account key.", PROVIDER);
      text = await response.text();
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      const timedOut = error instanceof Error && error.name === "TimeoutError";
      const why = timedOut ? "timed out" : "failed (network error)";
      throw tokenError(timedOut ? "provider.timeout" : "provider.unreachable", `The token request for ${who} to ${account.token_uri} ${why}.`, error);
    }
    const secrets = [assertion, account.private_key];
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
    } catch {
      // Described below from the status alone.
    }
    if (!response.ok) {
      const reason = [body.error, body.error_description].filter((part) => typeof part === "string" && part !== "").join(": ");
      const detail = redactUpstreamText(reason || text.trim().slice(0, 200) || "no details", secrets);
      const hint =
        response.status < 500 && response.status !== 429
          ? " Check that the key is still active in Google Cloud (not deleted or disabled) and that the gateway's clock is right."
          : "";
      throw tokenError(codeForStatus(response.status), `Google refused an access token for ${who} (${response.status} ${detail}).${hint}`);
    }
    const token = body.access_token;
    if (typeof token !== "string" || token === "") {
      throw tokenError("provider.bad_response", `Google's token endpoint answered ${who} without an access_token.`);
    }
    const lifetimeMs = (typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in : ASSERTION_LIFETIME_S) * 1000;
    // A short-lived token would otherwise be "due for refresh" as soon as it arrives.
    const margin = Math.min(this.options.refreshMarginMs ?? 5 * 60_000, lifetimeMs / 2);
    this.cached = { value: token, expiresAt: startedAt + lifetimeMs, refreshAt: startedAt + lifetimeMs - margin };
    return token;
  }
}

const shared = new Map<string, GoogleTokenSource>();

/** The process-wide cache key: one token per service-account key and scope, whichever deployment asks. */
export function googleTokenCacheKey(account: ServiceAccount, scope: string = CLOUD_PLATFORM_SCOPE): string {
  return `${account.client_email}\n${account.private_key_id}\n${account.token_uri}\n${scope}`;
}

/**
 * The token source every deployment with these credentials shares (created on first use; that
 * caller's options, including `fetch`, are the ones kept).
 */
export function sharedGoogleTokenSource(account: ServiceAccount, options: GoogleTokenSourceOptions): GoogleTokenSource {
  const key = googleTokenCacheKey(account, options.scope);
  const existing = shared.get(key);
  if (existing && existing.account.private_key === account.private_key) return existing;
  const source = new GoogleTokenSource(account, options);
  shared.set(key, source);
  return source;
}

/** Forgets every shared token source (tests; a config reload that rotates keys). */
export function clearSharedGoogleTokenSources(): void {
  shared.clear();
}
