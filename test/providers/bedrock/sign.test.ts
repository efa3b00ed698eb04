import { describe, expect, test } from "bun:test";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { buildBedrockEmbeddings } from "../../../src/providers/bedrock/embeddings.ts";
import { buildBedrockRequest } from "../../../src/providers/bedrock/request.ts";
import { amzDate, signAwsRequest, signBedrockRequest } from "../../../src/providers/bedrock/sign.ts";
import type { AwsCredentials, UpstreamRequest } from "../../../src/providers/types.ts";
import { chatRequest, STRICT, TARGET } from "./helpers.ts";

/** The credentials, date, region and service of AWS's published SigV4 test suite (aws-sig-v4-test-suite). */
const SUITE_CREDENTIALS: AwsCredentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const SUITE_DATE = new Date("2015-08-30T12:36:00Z");
const SUITE_SCOPE = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request";
const STS_TOKEN =
  "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

describe("signAwsRequest: known answers from AWS's SigV4 test suite (POST vectors)", () => {
  // name, url, extra headers, session token, expected SignedHeaders and Signature
  const vectors: [string, string, Record<string, string>, string | undefined, string, string][] = [
    ["post-vanilla", "https://example.amazonaws.com/", {}, undefined, "host;x-amz-date", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"],
    ["post-vanilla-query", "https://example.amazonaws.com/?Param1=value1", {}, undefined, "host;x-amz-date", "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"],
    ["post-header-key-sort", "https://example.amazonaws.com/", { "My-Header1": "value1" }, undefined, "host;my-header1;x-amz-date", "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"],
    ["post-header-value-case", "https://example.amazonaws.com/", { "My-Header1": "VALUE1" }, undefined, "host;my-header1;x-amz-date", "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"],
    ["post-sts-header-before", "https://example.amazonaws.com/", {}, STS_TOKEN, "host;x-amz-date;x-amz-security-token", "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"],
  ];
  for (const [name, url, headers, sessionToken, signedHeaders, signature] of vectors) {
    test(name, async () => {
      const credentials = sessionToken ? { ...SUITE_CREDENTIALS, sessionToken } : SUITE_CREDENTIALS;
      const signed = await signAwsRequest({ url, headers, body: "" }, credentials, "us-east-1", "service", SUITE_DATE);
      expect(signed.headers.authorization).toBe(`${SUITE_SCOPE}, SignedHeaders=${signedHeaders}, Signature=${signature}`);
      expect(signed.headers["x-amz-date"]).toBe("20150830T123600Z");
      if (sessionToken) expect(signed.headers["x-amz-security-token"]).toBe(sessionToken);
    });
  }

  test("get-vanilla: the method is signed as given (a pass-through GET)", async () => {
    const signed = await signAwsRequest({ method: "GET", url: "https://example.amazonaws.com/", headers: {}, body: undefined }, SUITE_CREDENTIALS, "us-east-1", "service", SUITE_DATE);
    expect(signed.headers.authorization).toBe(`${SUITE_SCOPE}, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31`);
  });

  test("a body as bytes signs as the same body as text", async () => {
    const body = '{"messages":[{"role":"user","content":[{"text":"Zürich 東京"}]}]}';
    const asText = await signAwsRequest({ url: "https://example.amazonaws.com/x", headers: {}, body }, SUITE_CREDENTIALS, "us-east-1", "service", SUITE_DATE);
    const asBytes = await signAwsRequest({ url: "https://example.amazonaws.com/x", headers: {}, body: new TextEncoder().encode(body) }, SUITE_CREDENTIALS, "us-east-1", "service", SUITE_DATE);
    expect(asBytes.headers.authorization).toBe(asText.headers.authorization as string);
  });

  test("the date form", () => {
    expect(amzDate(SUITE_DATE)).toBe("20150830T123600Z");
  });
});

/** AWS's own signer (the SDK's), given the same request, as the independent reference. */
async function referenceAuthorization(upstream: UpstreamRequest, credentials: AwsCredentials, region: string, now: Date): Promise<string> {
  const url = new URL(upstream.url);
  // applyChecksum off: the SDK would also sign an x-amz-content-sha256 header, which Bedrock does not require.
  const signer = new SignatureV4({ credentials, region, service: "bedrock", sha256: Hash.bind(null, "sha256"), applyChecksum: false });
  // The SDK signs these headers too; content-type is left out to match SigV4's usual unsigned set.
  const { "content-type": _type, authorization: _auth, ...headers } = upstream.headers;
  const signed = await signer.sign(
    { method: "POST", protocol: url.protocol, hostname: url.hostname, path: url.pathname, query: {}, headers: { ...headers, host: url.host }, body: upstream.body },
    { signingDate: now },
  );
  return String(signed.headers.authorization);
}

describe("signBedrockRequest agrees with AWS's SDK signer (@smithy/signature-v4) on Bedrock requests", () => {
  const now = new Date("2025-06-01T09:30:15.123Z");
  const credentials: AwsCredentials = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
  const temporary: AwsCredentials = { ...credentials, accessKeyId: "ASIAIOSFODNN7EXAMPLE", sessionToken: "IQoJb3JpZ2luX2VjEXAMPLE//////////token+with/slashes==" };

  const requests: [string, UpstreamRequest][] = [
    ["Converse on an inference profile (':' is double-encoded in the canonical path)", buildBedrockRequest(chatRequest(), TARGET, STRICT).upstream],
    ["ConverseStream on an inference-profile ARN ('/' inside the id)", buildBedrockRequest(chatRequest({ stream: true }), { ...TARGET, model: "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0" }, STRICT).upstream],
    ["InvokeModel for Titan embeddings", buildBedrockEmbeddings({ input: "héllo wörld" }, { ...TARGET, model: "amazon.titan-embed-text-v2:0" }).upstreams[0] as UpstreamRequest],
    ["a deployment header and unicode in the body", buildBedrockRequest(chatRequest({ messages: [{ role: "user", content: [{ type: "text", text: "Zürich 東京 🌧" }] }] }), { ...TARGET, headers: { "X-Team": "search" } }, STRICT).upstream],
  ];
  for (const [name, upstream] of requests) {
    for (const creds of [credentials, temporary]) {
      test(`${name}${creds.sessionToken ? ", with a session token" : ""}`, async () => {
        const signed = await signBedrockRequest(upstream, creds, "us-east-1", now);
        expect(signed.headers.authorization).toBe(await referenceAuthorization(upstream, creds, "us-east-1", now));
        expect(signed.headers["x-amz-date"]).toBe("20250601T093015Z");
        expect(signed.headers["x-amz-security-token"]).toBe(creds.sessionToken as string);
        expect(signed.headers.authorization).toContain("/20250601/us-east-1/bedrock/aws4_request");
        expect([signed.url, signed.body]).toEqual([upstream.url, upstream.body]);
      });
    }
  }

  test("deterministic for a given date, different for another; a bearer key is replaced by the signature", async () => {
    const keyed = buildBedrockRequest(chatRequest(), { ...TARGET, apiKey: "ABSKexample" }, STRICT).upstream;
    const a = await signBedrockRequest(keyed, credentials, "us-east-1", now);
    const b = await signBedrockRequest(keyed, credentials, "us-east-1", now);
    const c = await signBedrockRequest(keyed, credentials, "us-east-1", new Date("2025-06-01T09:30:16Z"));
    expect(a).toEqual(b);
    expect(a.headers.authorization).not.toBe(c.headers.authorization);
    expect(a.headers.authorization?.startsWith("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/")).toBe(true);
    expect(keyed.headers.authorization).toBe("Bearer ABSKexample");
    expect(Object.keys(a.headers).sort()).toEqual(["accept", "authorization", "content-type", "x-amz-date"]);
  });
});
