/**
 * An OAuth2 token endpoint (client credentials grant) on 127.0.0.1 and a free port: it checks the
 * client's HTTP Basic credentials, issues tokens tok-1, tok-2, ... and records every request, so a
 * test can count fetches and revoke a token.
 */
export interface MockTokenEndpoint {
  /** The token endpoint: `http://127.0.0.1:PORT/token`. */
  url: string;
  /** Every token request's form and Authorization header, in order. */
  requests: { form: URLSearchParams; authorization: string | null }[];
  /** Tokens issued and not revoked. */
  valid: Set<string>;
  /** The expires_in of the next tokens (seconds; undefined leaves it out). */
  expiresIn: number | undefined;
  /** When set, every token request is answered with this status and an `invalid_client` error. */
  failWith: number | undefined;
  stop(): Promise<void>;
}

export function startMockTokenEndpoint(clientId: string, clientSecret: string): MockTokenEndpoint {
  let issued = 0;
  const endpoint: MockTokenEndpoint = {
    url: "",
    requests: [],
    valid: new Set(),
    expiresIn: 3600,
    failWith: undefined,
    stop: async () => server.stop(true),
  };
  const expected = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      if (new URL(request.url).pathname !== "/token" || request.method !== "POST") return new Response("not found", { status: 404 });
      const form = new URLSearchParams(await request.text());
      const authorization = request.headers.get("authorization");
      endpoint.requests.push({ form, authorization });
      if (endpoint.failWith !== undefined) return Response.json({ error: "invalid_client", error_description: `bad secret ${clientSecret}` }, { status: endpoint.failWith });
      if (form.get("grant_type") !== "client_credentials" || authorization !== expected) return Response.json({ error: "invalid_client" }, { status: 401 });
      const token = `tok-${++issued}`;
      endpoint.valid.add(token);
      return Response.json({ access_token: token, token_type: "Bearer", ...(endpoint.expiresIn !== undefined ? { expires_in: endpoint.expiresIn } : {}) });
    },
  });
  endpoint.url = `http://127.0.0.1:${server.port}/token`;
  return endpoint;
}
