import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { parseServiceAccount, type ServiceAccount } from "../../../src/providers/vertex/service-account.ts";
import { clearSharedGoogleTokenSources, GoogleTokenSource, sharedGoogleTokenSource } from "../../../src/providers/vertex/token-source.ts";
import { GatewayError } from "../../../src/canonical/errors.ts";
import { makeAccount, tokenEndpoint, type TestAccount } from "../../fixtures/vertex/google-mock.ts";

let testAccount: TestAccount;
let account: ServiceAccount;

beforeAll(async () => {
  testAccount = await makeAccount();
  account = parseServiceAccount(testAccount.json);
});
afterEach(() => clearSharedGoogleTokenSources());

/** A clock the test moves by hand. */
function clock(start = Date.UTC(2025, 0, 1)) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

/** The rejection of a promise (failing the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error("expected a rejection");
}

/** Everything an error exposes that could end up in a log or a client's answer. */
const exposed = (error: GatewayError) => `${error.message} ${JSON.stringify(error.details)} ${String(error.cause ?? "")}`;

describe("GoogleTokenSource", () => {
  test("signs a JWT Google accepts (RS256, kid, iss/scope/aud/iat/exp) and returns the access token", async () => {
    const time = clock();
    const endpoint = tokenEndpoint({ account: testAccount, now: time.now });
    const source = new GoogleTokenSource(account, { fetch: endpoint.fetch, now: time.now });
    expect(await source.token()).toBe("ya29.test-token-1");
    expect(endpoint.state.problems).toEqual([]);
    expect(endpoint.state.requests[0]?.url).toBe("https://oauth2.googleapis.com/token");
  });

  test("caches the token until the refresh margin before expiry, then fetches a new one", async () => {
    const time = clock();
    const endpoint = tokenEndpoint({ account: testAccount, now: time.now, expiresIn: 3600 });
    const source = new GoogleTokenSource(account, { fetch: endpoint.fetch, now: time.now });
    expect(await source.token()).toBe("ya29.test-token-1");
    time.advance(54 * 60_000);
    expect(await source.token()).toBe("ya29.test-token-1");
    time.advance(59_000); // 54:59 — still more than 5 minutes left
    expect(await source.token()).toBe("ya29.test-token-1");
    expect(endpoint.state.calls).toBe(1);
    time.advance(1_000); // 55:00 — inside the margin
    expect(await source.token()).toBe("ya29.test-token-2");
    expect(endpoint.state.calls).toBe(2);
    expect(endpoint.state.problems).toEqual([]);
  });

  test("a custom margin, and a token shorter-lived than the margin is still cached for half its life", async () => {
    const time = clock();
    const endpoint = tokenEndpoint({ account: testAccount, now: time.now, expiresIn: 120 });
    const source = new GoogleTokenSource(account, { fetch: endpoint.fetch, now: time.now, refreshMarginMs: 10 * 60_000 });
    await source.token();
    time.advance(59_000);
    await source.token();
    expect(endpoint.state.calls).toBe(1);
    time.advance(1_000);
    await source.token();
    expect(endpoint.state.calls).toBe(2);
  });

  test("single flight: 10 concurrent callers share one exchange", async () => {
    const time = clock();
    const endpoint = tokenEndpoint({ account: testAccount, now: time.now, delayMs: 20 });
    const source = new GoogleTokenSource(account, { fetch: endpoint.fetch, now: time.now });
    const tokens = await Promise.all(Array.from({ length: 10 }, () => source.token()));
    expect(new Set(tokens)).toEqual(new Set(["ya29.test-token-1"]));
    expect(endpoint.state.calls).toBe(1);
    // And again at refresh time.
    time.advance(56 * 60_000);
    const refreshed = await Promise.all(Array.from({ length: 10 }, () => source.token()));
    expect(new Set(refreshed)).toEqual(new Set(["ya29.test-token-2"]));
    expect(endpoint.state.calls).toBe(2);
  });

  test("invalidate() drops the cached token so the next call exchanges again", async () => {
    const time = clock();
    const endpoint = tokenEndpoint({ account: testAccount, now: time.now });
    const source = new GoogleTokenSource(account, { fetch: endpoint.fetch, now: time.now });
    expect(await source.token()).toBe("ya29.test-token-1");
    source.invalidate();
    expect(await source.token()).toBe("ya29.test-token-2");
    expect(endpoint.state.calls).toBe(2);
  });

  test("invalidate(refused) drops the cached token only when it is the one refused", async () => {
    const time = clock();
    const endpoint = tokenEndpoint({ account: testAccount, now: time.now });
    const source = new GoogleTokenSource(account, { fetch: endpoint.fetch, now: time.now });
    expect(await source.token()).toBe("ya29.test-token-1");
    source.invalidate("ya29.test-token-1");
    expect(await source.token()).toBe("ya29.test-token-2");
    // A 401 to a call that still carried the old token leaves the fresh one cached.
    source.invalidate("ya29.test-token-1");
    expect(await source.token()).toBe("ya29.test-token-2");
    expect(endpoint.state.calls).toBe(2);
  });

  for (const [status, body, code] of [
    [400, JSON.stringify({ error: "invalid_grant", error_description: "Invalid JWT Signature." }), "provider.unauthenticated"],
    [401, JSON.stringify({ error: "unauthorized_client", error_description: "Client is unauthorized to retrieve access tokens using this method." }), "provider.unauthenticated"],
    [503, "upstream unavailable", "provider.server_error"],
  ] as const) {
    test(`a ${status} from the token endpoint rejects with ${code}, leaks nothing, and is not cached`, async () => {
      const time = clock();
      const failing = tokenEndpoint({ account: testAccount, now: time.now, fail: { status, body } });
      const source = new GoogleTokenSource(account, { fetch: failing.fetch, now: time.now });
      const error = await rejection(source.token());
      expect(error.code).toBe(code);
      expect(error.message).toContain(testAccount.email);
      expect(error.message).toContain(String(status));
      if (status === 400) expect(error.message).toContain("invalid_grant: Invalid JWT Signature.");
      const assertion = new URLSearchParams(failing.state.requests[0]?.body).get("assertion") ?? "";
      const keyBody = testAccount.privateKeyPem.split("\n")[5] ?? "";
      expect(keyBody.length).toBeGreaterThan(40);
      for (const secret of [assertion, assertion.split(".")[2] ?? "", keyBody]) expect(exposed(error)).not.toContain(secret);
      // Not cached: the next call asks again.
      await rejection(source.token());
      expect(failing.state.calls).toBe(2);
    });
  }

  test("the mock endpoint really verifies: a key that does not match the public key is refused", async () => {
    const time = clock();
    const endpoint = tokenEndpoint({ account: testAccount, now: time.now });
    const other = await crypto.subtle.generateKey(
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
      true,
      ["sign", "verify"],
    );
    const der = Buffer.from(await crypto.subtle.exportKey("pkcs8", other.privateKey)).toString("base64");
    const wrongKey = { ...account, private_key: `-----BEGIN PRIVATE KEY-----\n${der}\n-----END PRIVATE KEY-----\n` };
    const error = await rejection(new GoogleTokenSource(wrongKey, { fetch: endpoint.fetch, now: time.now }).token());
    expect(endpoint.state.problems).toEqual(["signature does not verify"]);
    expect(error.code).toBe("provider.unauthenticated");
    expect(error.message).toContain("Invalid JWT Signature");
  });

  test("the token endpoint echoing the assertion back is redacted", async () => {
    const time = clock();
    let assertion = "";
    const source = new GoogleTokenSource(account, {
      now: time.now,
      fetch: async (_url, init) => {
        assertion = new URLSearchParams(String(init.body)).get("assertion") ?? "";
        return Response.json({ error: "invalid_grant", error_description: `bad assertion ${assertion}` }, { status: 400 });
      },
    });
    const error = await rejection(source.token());
    expect(error.message).not.toContain(assertion.split(".")[2] ?? "x");
    expect(error.message).toContain("[redacted]");
  });

  test("a refresh that fails while the old token is still valid serves the old token; after expiry it rejects", async () => {
    const time = clock();
    let fail = false;
    const endpoint = tokenEndpoint({ account: testAccount, now: time.now, expiresIn: 3600 });
    const source = new GoogleTokenSource(account, {
      now: time.now,
      fetch: (url, init) => (fail ? Promise.resolve(new Response("oops", { status: 500 })) : endpoint.fetch(url, init)),
    });
    expect(await source.token()).toBe("ya29.test-token-1");
    fail = true;
    time.advance(58 * 60_000);
    expect(await source.token()).toBe("ya29.test-token-1");
    time.advance(2 * 60_000);
    expect((await rejection(source.token())).code).toBe("provider.server_error");
    fail = false;
    expect(await source.token()).toBe("ya29.test-token-2");
  });

  test("network failure, a 200 without access_token, and an unreadable key are clear errors", async () => {
    const time = clock();
    const down = new GoogleTokenSource(account, { now: time.now, fetch: () => Promise.reject(new TypeError("fetch failed")) });
    expect((await rejection(down.token())).code).toBe("provider.unreachable");
    const empty = new GoogleTokenSource(account, { now: time.now, fetch: async () => Response.json({ token_type: "Bearer" }) });
    expect((await rejection(empty.token())).code).toBe("provider.bad_response");
    const broken = { ...account, private_key: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n" };
    const bad = new GoogleTokenSource(broken, { now: time.now, fetch: async () => Response.json({ access_token: "x", expires_in: 10 }) });
    const error = await rejection(bad.token());
    expect(error.code).toBe("provider.unauthenticated");
    expect(error.message).toContain("PKCS#8");
  });

  test("over real HTTP: a token endpoint on 127.0.0.1 that verifies the form-encoded request", async () => {
    const time = { now: Date.now };
    const local = await makeAccount("http", "http://placeholder/token");
    let endpoint: ReturnType<typeof tokenEndpoint> | undefined;
    const server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: async (request) => (endpoint as ReturnType<typeof tokenEndpoint>).fetch(request.url, { method: request.method, headers: request.headers, body: await request.text() }),
    });
    try {
      const tokenUri = `http://127.0.0.1:${server.port}/token`;
      const json = JSON.parse(local.json) as Record<string, unknown>;
      const sa = parseServiceAccount(JSON.stringify({ ...json, token_uri: tokenUri }));
      endpoint = tokenEndpoint({ account: local, now: time.now });
      const source = new GoogleTokenSource(sa, { fetch: (url, init) => fetch(url, init), now: time.now });
      expect(await source.token()).toBe("ya29.test-token-1");
      expect(endpoint.state.problems).toEqual([]);
    } finally {
      server.stop(true);
    }
  });
});

describe("sharedGoogleTokenSource", () => {
  test("deployments with the same credentials share one token source and one token", async () => {
    const time = clock();
    const endpoint = tokenEndpoint({ account: testAccount, now: time.now });
    const a = sharedGoogleTokenSource(parseServiceAccount(testAccount.json), { fetch: endpoint.fetch, now: time.now });
    const b = sharedGoogleTokenSource(parseServiceAccount(testAccount.json), { fetch: endpoint.fetch, now: time.now });
    expect(a).toBe(b);
    await Promise.all([a.token(), b.token()]);
    expect(endpoint.state.calls).toBe(1);
    const other = await makeAccount("other");
    const c = sharedGoogleTokenSource(parseServiceAccount(other.json), { fetch: endpoint.fetch, now: time.now });
    expect(c).not.toBe(a);
  });
});
