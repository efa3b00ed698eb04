import { describe, expect, test } from "bun:test";
import { azureAuthHeaders, azureHeaders } from "../../../src/providers/azure/auth.ts";
import type { Target } from "../../../src/providers/types.ts";

const AZURE_KEY = "0123456789abcdef0123456789abcdef";
// The shape of a Microsoft Entra access token (header.payload.signature, base64url).
const ENTRA = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2NvZ25pdGl2ZXNlcnZpY2VzLmF6dXJlLmNvbSJ9.c2lnbmF0dXJl";
const target = (fields: Partial<Target>): Target => ({ model: "gpt-4o", apiBase: "https://acme.openai.azure.com", ...fields });

describe("azureAuthHeaders", () => {
  test("a resource key goes in api-key", () => {
    expect(azureAuthHeaders(target({ apiKey: AZURE_KEY }))).toEqual({ "api-key": AZURE_KEY });
    expect(azureAuthHeaders(target({ apiKey: ` ${AZURE_KEY}\n` }))).toEqual({ "api-key": AZURE_KEY });
  });

  test("an apiKey marked 'Bearer ' is an Entra token: Authorization: Bearer", () => {
    expect(azureAuthHeaders(target({ apiKey: `Bearer ${ENTRA}` }))).toEqual({ authorization: `Bearer ${ENTRA}` });
    expect(azureAuthHeaders(target({ apiKey: `bearer   ${ENTRA}` }))).toEqual({ authorization: `Bearer ${ENTRA}` });
  });

  test("a bare JWT-shaped apiKey is an Entra token too", () => {
    expect(azureAuthHeaders(target({ apiKey: ENTRA }))).toEqual({ authorization: `Bearer ${ENTRA}` });
  });

  test("deployment headers that already carry a credential win; no key, no header", () => {
    expect(azureAuthHeaders(target({ apiKey: AZURE_KEY, headers: { Authorization: `Bearer ${ENTRA}` } }))).toEqual({});
    expect(azureAuthHeaders(target({ apiKey: AZURE_KEY, headers: { "API-Key": "other" } }))).toEqual({});
    expect(azureAuthHeaders(target({}))).toEqual({});
  });
});

describe("azureHeaders", () => {
  test("JSON in, SSE or JSON out, the credential, then the deployment's headers (lower-cased)", () => {
    expect(azureHeaders(target({ apiKey: AZURE_KEY, headers: { "X-Team": "blue" } }), true)).toEqual({
      "content-type": "application/json",
      accept: "text/event-stream",
      "api-key": AZURE_KEY,
      "x-team": "blue",
    });
    expect(azureHeaders(target({ apiKey: AZURE_KEY, headers: { Authorization: `Bearer ${ENTRA}` } }), false)).toEqual({
      "content-type": "application/json",
      accept: "application/json",
      authorization: `Bearer ${ENTRA}`,
    });
  });
});
