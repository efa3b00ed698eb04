import { describe, expect, test } from "bun:test";
import { clientResponseHeaders, CLIENT_CREDENTIAL_HEADERS, upstreamRequestHeaders } from "../../src/passthrough/headers.ts";
import { bedrockPassthrough } from "../../src/passthrough/providers/bedrock.ts";
import { geminiPassthrough } from "../../src/passthrough/providers/gemini.ts";

describe("headers going up", () => {
  test("every credential header any SDK uses, hop-by-hop and framing headers, the gateway's controls and the client's address are dropped", () => {
    const sent = new Headers({
      ...Object.fromEntries(CLIENT_CREDENTIAL_HEADERS.map((name) => [name, "secret"])),
      host: "gateway.example",
      connection: "keep-alive, x-private-hop",
      "x-private-hop": "1",
      "keep-alive": "timeout=5",
      "transfer-encoding": "chunked",
      "content-length": "10",
      "accept-encoding": "gzip",
      "x-switchboard-redact": "true",
      "x-litellm-tags": "a",
      "x-forwarded-for": "10.0.0.1",
      forwarded: "for=10.0.0.1",
      "x-real-ip": "10.0.0.1",
      "anthropic-version": "2023-06-01",
      "anthropic-beta": "prompt-caching-2024-07-31",
      "content-type": "application/json",
      "user-agent": "Anthropic/JS 1.0",
      "x-stainless-retry-count": "0",
    });
    expect(upstreamRequestHeaders(sent)).toEqual({
      "anthropic-version": "2023-06-01",
      "anthropic-beta": "prompt-caching-2024-07-31",
      "content-type": "application/json",
      "user-agent": "Anthropic/JS 1.0",
      "x-stainless-retry-count": "0",
    });
  });
  test("headers that choose the account the gateway's credential bills are the credential owner's, not the client's", () => {
    const sent = new Headers({ "openai-organization": "org-someone-else", "openai-project": "proj_other", "x-goog-user-project": "other-project", "openai-beta": "assistants=v2" });
    expect(upstreamRequestHeaders(sent)).toEqual({ "openai-beta": "assistants=v2" });
  });
});

describe("headers coming back", () => {
  test("framing, cookies, the upstream origin's own policies and the gateway's names are dropped; the rest kept", () => {
    const answered = new Headers({ "content-type": "text/event-stream", "content-encoding": "gzip", "content-length": "9", "transfer-encoding": "chunked", connection: "close", "set-cookie": "a=1", "strict-transport-security": "max-age=1", "alt-svc": "h3", location: "https://x", "x-switchboard-call-id": "forged", "request-id": "req_1", "anthropic-ratelimit-requests-remaining": "9" });
    expect(clientResponseHeaders(answered)).toEqual({ "content-type": "text/event-stream", "request-id": "req_1", "anthropic-ratelimit-requests-remaining": "9" });
  });
  test("headers the upstream's Connection names, and any header carrying the call's credential, are dropped", () => {
    const answered = new Headers({ connection: "x-hop", "x-hop": "1", "x-echo": "key sk-upstream-secret-0123 seen", "request-id": "req_1" });
    expect(clientResponseHeaders(answered, ["sk-upstream-secret-0123"])).toEqual({ "request-id": "req_1" });
  });
});

describe("Gemini's key", () => {
  const key = (url: string, headers: Record<string, string> = {}) => geminiPassthrough.presentedKey?.(new Request(url, { headers }));
  test("x-goog-api-key, else ?key=; the gateway's own key headers are left to the shared reading", () => {
    expect(key("http://gw/gemini/v1beta/models", { "x-goog-api-key": " sk-g " })).toBe("sk-g");
    expect(key("http://gw/gemini/v1beta/models?alt=sse&key=sk-q")).toBe("sk-q");
    expect(key("http://gw/gemini/v1beta/models?key=sk-q", { "x-goog-api-key": "sk-g" })).toBe("sk-g");
    expect(key("http://gw/gemini/v1beta/models?key=sk-q", { "x-litellm-api-key": "sk-l" })).toBeUndefined();
    expect(key("http://gw/gemini/v1beta/models")).toBeUndefined();
  });
});

describe("Bedrock's key", () => {
  const key = (headers: Record<string, string> = {}) => bedrockPassthrough.presentedKey?.(new Request("http://gw/bedrock/model/m/converse", { headers }));
  const signed = (keyId: string) => `AWS4-HMAC-SHA256 Credential=${keyId}/20261208/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}`;
  test("the access key id of the AWS SDK's signature (also as LangChain writes it), or LiteLLM's litellm_user_api_key header", () => {
    expect(key({ authorization: signed("sk-virtual-1") })).toBe("sk-virtual-1");
    expect(key({ authorization: signed("Bearer sk-virtual-2") })).toBe("sk-virtual-2");
    expect(key({ litellm_user_api_key: "sk-virtual-3", authorization: signed("AKIAFAKE") })).toBe("sk-virtual-3");
    expect(key({ litellm_user_api_key: "Bearer sk-virtual-4" })).toBe("sk-virtual-4");
  });
  test("a bearer, the gateway's own key headers and no key are left to the shared reading", () => {
    expect(key({ authorization: "Bearer sk-b" })).toBeUndefined();
    expect(key({ "x-litellm-api-key": "sk-l", authorization: signed("sk-virtual-1") })).toBeUndefined();
    expect(key()).toBeUndefined();
  });
});
