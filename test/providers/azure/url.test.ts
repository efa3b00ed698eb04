import { describe, expect, test } from "bun:test";
import { AZURE_DEFAULT_API_VERSION, AZURE_FOUNDRY_API_VERSION, azureEndpoint, azureUrl } from "../../../src/providers/azure/url.ts";
import type { Target } from "../../../src/providers/types.ts";
import { GatewayError } from "../../../src/canonical/errors.ts";

const target = (fields: Partial<Target>): Target => ({ model: "gpt-4o-prod", apiBase: "https://acme.openai.azure.com", apiKey: "0123456789abcdef0123456789abcdef", ...fields });

/** The URL split into the parts the tests check one by one. */
function parts(url: string) {
  const parsed = new URL(url);
  return { origin: parsed.origin, path: parsed.pathname, query: Object.fromEntries(parsed.searchParams) };
}

describe("azureUrl: deployments style", () => {
  test("the resource endpoint, with and without /openai or trailing slashes, gives the same URL", () => {
    for (const apiBase of ["https://acme.openai.azure.com", "https://acme.openai.azure.com/", "https://acme.openai.azure.com/openai", "https://acme.openai.azure.com/openai//"]) {
      expect(parts(azureUrl(target({ apiBase }), "chat"))).toEqual({
        origin: "https://acme.openai.azure.com",
        path: "/openai/deployments/gpt-4o-prod/chat/completions",
        query: { "api-version": AZURE_DEFAULT_API_VERSION },
      });
    }
    expect(AZURE_DEFAULT_API_VERSION).toBe("2024-10-21");
  });

  test("embeddings, a configured api-version, and an escaped deployment name", () => {
    expect(azureUrl(target({ model: "text-embedding-3-large", apiVersion: "2025-04-01-preview" }), "embeddings")).toBe(
      "https://acme.openai.azure.com/openai/deployments/text-embedding-3-large/embeddings?api-version=2025-04-01-preview",
    );
    expect(parts(azureUrl(target({ model: "my deployment/1" }), "chat")).path).toBe("/openai/deployments/my%20deployment%2F1/chat/completions");
  });

  test("a cognitiveservices or services.ai host without /models is still the deployments API", () => {
    const url = azureUrl(target({ apiBase: "https://acme.cognitiveservices.azure.com/" }), "chat");
    expect(url).toBe(`https://acme.cognitiveservices.azure.com/openai/deployments/gpt-4o-prod/chat/completions?api-version=${AZURE_DEFAULT_API_VERSION}`);
    expect(azureEndpoint(target({ apiBase: "https://acme.services.ai.azure.com" }), "chat").style).toBe("deployments");
  });

  test("an apiBase that already names a deployment keeps it; api-version in the apiBase query counts", () => {
    const endpoint = azureEndpoint(target({ apiBase: "https://acme.openai.azure.com/openai/deployments/legacy-35/?api-version=2024-06-01" }), "chat");
    expect(endpoint.style).toBe("deployments");
    expect(parts(endpoint.url)).toEqual({ origin: "https://acme.openai.azure.com", path: "/openai/deployments/legacy-35/chat/completions", query: { "api-version": "2024-06-01" } });
    // The configured apiVersion wins over the query's.
    expect(parts(azureUrl(target({ apiBase: "https://acme.openai.azure.com?api-version=2024-06-01", apiVersion: "2024-10-21" }), "chat")).query).toEqual({ "api-version": "2024-10-21" });
  });
});

describe("azureUrl: v1 style", () => {
  test("an apiBase ending /openai/v1 uses the v1 API with no api-version", () => {
    const endpoint = azureEndpoint(target({ apiBase: "https://acme.openai.azure.com/openai/v1/" }), "chat");
    expect(endpoint.style).toBe("v1");
    expect(endpoint.url).toBe("https://acme.openai.azure.com/openai/v1/chat/completions");
    expect(azureUrl(target({ apiBase: "https://acme.openai.azure.com/openai/v1" }), "embeddings")).toBe("https://acme.openai.azure.com/openai/v1/embeddings");
  });

  test("apiVersion v1 / latest / preview select the v1 API from a bare endpoint; only preview is sent", () => {
    expect(azureUrl(target({ apiVersion: "v1" }), "chat")).toBe("https://acme.openai.azure.com/openai/v1/chat/completions");
    expect(azureUrl(target({ apiVersion: "latest", apiBase: "https://acme.openai.azure.com/openai" }), "chat")).toBe("https://acme.openai.azure.com/openai/v1/chat/completions");
    expect(parts(azureUrl(target({ apiVersion: "preview" }), "chat"))).toEqual({ origin: "https://acme.openai.azure.com", path: "/openai/v1/chat/completions", query: { "api-version": "preview" } });
  });

  test("a dated api-version configured on a v1 apiBase is sent as configured (Azure will say if it is wrong)", () => {
    expect(azureUrl(target({ apiBase: "https://acme.openai.azure.com/openai/v1", apiVersion: "2024-10-21" }), "chat")).toBe(
      "https://acme.openai.azure.com/openai/v1/chat/completions?api-version=2024-10-21",
    );
  });
});

describe("azureUrl: Foundry models style", () => {
  test("{endpoint}/models -> /models/chat/completions with the model-inference api-version", () => {
    const endpoint = azureEndpoint(target({ apiBase: "https://acme-foundry.services.ai.azure.com/models/", model: "DeepSeek-R1" }), "chat");
    expect(endpoint.style).toBe("foundry");
    expect(parts(endpoint.url)).toEqual({ origin: "https://acme-foundry.services.ai.azure.com", path: "/models/chat/completions", query: { "api-version": AZURE_FOUNDRY_API_VERSION } });
    expect(azureUrl(target({ apiBase: "https://acme-foundry.services.ai.azure.com/models", apiVersion: "2025-04-01" }), "embeddings")).toBe(
      "https://acme-foundry.services.ai.azure.com/models/embeddings?api-version=2025-04-01",
    );
  });
});

describe("azureUrl: refusals", () => {
  test("an apiBase that is not an http(s) URL, or an empty deployment name, is a clear error", () => {
    expect(() => azureUrl(target({ apiBase: "acme.openai.azure.com" }), "chat")).toThrow(GatewayError);
    expect(() => azureUrl(target({ apiBase: "ftp://acme.openai.azure.com" }), "chat")).toThrow("api_base");
    // A blank name can only come from a request (`azure/ ` on a wildcard): the caller's 400.
    expect(() => azureUrl(target({ model: " " }), "chat")).toThrow("is blank");
    expect(() => azureUrl(target({ model: "x/../../v1/files" }), "chat")).toThrow("'..' path segment");
  });
});
