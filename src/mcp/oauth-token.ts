import { ErrorCode } from "@modelcontextprotocol/sdk/types.js";
import type { McpServerEntry } from "../config/schema.ts";
import { McpAnswerError } from "./errors.ts";
import { guardedFetch, SsrfRefusal } from "./ssrf.ts";

/** A token is renewed this long before the token endpoint said it expires, so no call carries one that lapses in flight. */
const EXPIRY_MARGIN_MS = 30_000;
/** Without `expires_in`, a token is kept this long, then fetched afresh (a 401 renews it sooner). */
const DEFAULT_LIFETIME_MS = 300_000;
const TIMEOUT_MS = 15_000;

interface Held {
  token: string;
  expiresAt: number;
}

/**
 * An OAuth2 client-credentials access token of one MCP server (RFC 6749 section 4.4): fetched from
 * its token_url under the SSRF rules, with the client authenticated by HTTP Basic (the RFC's
 * default), kept until shortly before `expires_in`, and shared: concurrent callers wait for one
 * fetch. Errors name the server and never carry the client secret.
 */
export class OAuthToken {
  private held: Held | undefined;
  private fetching: Promise<Held> | undefined;

  constructor(
    readonly server: string,
    private readonly entry: McpServerEntry,
    private readonly now: () => number = Date.now,
  ) {}

  /** A valid access token: the held one, or one fetched now (once for every concurrent caller). */
  async token(): Promise<string> {
    if (this.held && this.held.expiresAt > this.now()) return this.held.token;
    this.fetching ??= this.fetchToken().finally(() => (this.fetching = undefined));
    this.held = await this.fetching;
    return this.held.token;
  }

  /** Forgets `token` (the upstream refused it), so the next token() fetches a new one; a newer token is kept. */
  invalidate(token: string): void {
    if (this.held?.token === token) this.held = undefined;
  }

  private async fetchToken(): Promise<Held> {
    const { client_id: id = "", client_secret: secret = "", token_url: tokenUrl = "" } = this.entry;
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    if (this.entry.scopes?.length) form.set("scope", this.entry.scopes.join(" "));
    // RFC 6749 section 2.3.1: the client id and secret are form-encoded before they are joined for Basic.
    const basic = Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64");
    const started = this.now();
    let response: Response;
    try {
      response = await guardedFetch(
        new URL(tokenUrl),
        {
          method: "POST",
          headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
          body: form.toString(),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        },
        this.entry.allow_private_hosts ?? [],
      );
    } catch (error) {
      const why = error instanceof SsrfRefusal ? `its token_url is refused: ${error.message}` : "its token_url could not be reached";
      throw this.failure(why);
    }
    const body = (await response.json().catch(() => undefined)) as { access_token?: unknown; expires_in?: unknown; error?: unknown } | undefined;
    if (!response.ok || typeof body?.access_token !== "string" || body.access_token === "") {
      const code = typeof body?.error === "string" && /^[\w.-]{1,64}$/.test(body.error) ? `, ${body.error}` : "";
      throw this.failure(response.ok ? "its token endpoint answered without an access_token" : `its token endpoint refused the client credentials (HTTP ${response.status}${code})`);
    }
    const seconds = typeof body.expires_in === "number" ? body.expires_in : Number(body.expires_in);
    const lifetime = Number.isFinite(seconds) && seconds > 0 ? Math.max(seconds * 1000 - EXPIRY_MARGIN_MS, seconds * 500) : DEFAULT_LIFETIME_MS;
    return { token: body.access_token, expiresAt: started + lifetime };
  }

  private failure(why: string): McpAnswerError {
    return new McpAnswerError(ErrorCode.InternalError, `MCP server '${this.server}' has no OAuth2 access token: ${why}; ask an administrator to check its client_id, client_secret and token_url.`);
  }
}

/**
 * fetch for an OAuth2 server's MCP transport: every request carries `Authorization: Bearer
 * <token>`; a 401 answer drops that token and the request is sent once more with a fresh one.
 */
export function bearerFetch(token: OAuthToken): (url: string | URL, init?: RequestInit) => Promise<Response> {
  return async (url, init) => {
    const send = async (): Promise<[Response, string]> => {
      const current = await token.token();
      const headers = new Headers(init?.headers);
      headers.set("authorization", `Bearer ${current}`);
      return [await fetch(url, { ...init, headers }), current];
    };
    const [first, used] = await send();
    if (first.status !== 401) return first;
    await first.body?.cancel();
    token.invalidate(used);
    return (await send())[0];
  };
}
