import { describe, expect, test } from "bun:test";
import { filteredCategories, mapAzureError } from "../../../src/providers/azure/errors.ts";
import { failureKind, isRetryable } from "../../../src/router/classify.ts";

const fixture = (name: string) => Bun.file(new URL(`../../fixtures/azure/${name}`, import.meta.url)).text();
const LABEL = "Azure OpenAI";
const KEY = "0123456789abcdef0123456789abcdef";

describe("mapAzureError", () => {
  test("a content_filter 400 is provider.content_filtered (content_policy fallbacks), naming categories and severities", async () => {
    const error = mapAzureError(LABEL, 400, await fixture("error-content-filter.json"), new Headers({ "apim-request-id": "abc" }));
    expect(error.code).toBe("provider.content_filtered");
    expect(error.status).toBe(400);
    expect(failureKind(error)).toBe("content_policy");
    expect(isRetryable(error)).toBe(false);
    expect(error.message).toBe(
      "Azure OpenAI refused the prompt: Azure's content filter blocked it (hate (severity high), violence (severity medium)). Rephrase the request, or ask the resource owner to review the deployment's content filter.",
    );
    expect(error.details.provider).toBe(LABEL);
  });

  test("jailbreak (detected) and custom blocklists are named", async () => {
    const error = mapAzureError(LABEL, 400, await fixture("error-jailbreak.json"), new Headers());
    expect(error.code).toBe("provider.content_filtered");
    expect(error.message).toContain("custom blocklist CompetitorNames, jailbreak (prompt attack) (detected)");
  });

  test("ResponsibleAIPolicyViolation without verdicts, or under inner_error, is still a content-filter error", () => {
    const bare = JSON.stringify({ error: { code: "BadRequest", message: "filtered", innererror: { code: "ResponsibleAIPolicyViolation" } } });
    const error = mapAzureError(LABEL, 400, bare, new Headers());
    expect(error.code).toBe("provider.content_filtered");
    expect(error.message).toContain("(a content filter)");
    const snake = JSON.stringify({ error: { code: "content_filter", message: "x", inner_error: { content_filter_results: { sexual: { filtered: true, severity: "high" } } } } });
    expect(mapAzureError(LABEL, 400, snake, new Headers()).message).toContain("sexual (severity high)");
  });

  test("401: provider.unauthenticated with a hint; the deployment's key is never shown", async () => {
    const error = mapAzureError(LABEL, 401, await fixture("error-401.json"), new Headers(), [KEY]);
    expect(error.code).toBe("provider.unauthenticated");
    expect(error.status).toBe(401);
    expect(error.message).toStartWith("Azure OpenAI returned 401: Access denied due to invalid subscription key");
    expect(error.message).toContain("Check the deployment's api-key");
    const echoed = mapAzureError(LABEL, 401, JSON.stringify({ error: { code: "401", message: `Key ${KEY} is invalid` } }), new Headers(), [KEY]);
    expect(echoed.message).not.toContain(KEY);
    expect(echoed.message).toContain("[redacted]");
  });

  test("404 DeploymentNotFound: provider.not_found telling what to check", async () => {
    const error = mapAzureError(LABEL, 404, await fixture("error-deployment-not-found.json"), new Headers());
    expect(error.code).toBe("provider.not_found");
    expect(error.message).toContain("The API deployment for this resource does not exist");
    expect(error.message).toContain("the Azure deployment name (not the model id)");
    expect(failureKind(error)).toBe("general");
    const generic = mapAzureError(LABEL, 404, JSON.stringify({ error: { code: "404", message: "Resource not found" } }), new Headers());
    expect(generic.message).toContain("Check api_base");
  });

  test("429 keeps retry-after and the rate-limit headers", async () => {
    const headers = new Headers({ "retry-after": "6", "retry-after-ms": "5400", "x-ratelimit-remaining-tokens": "0", "x-ratelimit-remaining-requests": "99", "set-cookie": "x" });
    const error = mapAzureError(LABEL, 429, await fixture("error-429.json"), headers);
    expect(error.code).toBe("provider.rate_limited");
    expect(error.status).toBe(429);
    expect(error.details.retryAfter).toBe(6);
    expect(error.details.headers).toEqual({ "retry-after": "6", "retry-after-ms": "5400", "x-ratelimit-remaining-tokens": "0", "x-ratelimit-remaining-requests": "99" });
    expect(isRetryable(error)).toBe(true);
  });

  test("500 is a retryable provider.server_error", async () => {
    const error = mapAzureError(LABEL, 500, await fixture("error-500.json"), new Headers());
    expect(error.code).toBe("provider.server_error");
    expect(error.status).toBe(500);
    expect(error.message).toBe("Azure OpenAI returned 500: The server had an error while processing your request. Sorry about that!");
    expect(isRetryable(error)).toBe(true);
  });
});

describe("filteredCategories", () => {
  test("only filtered categories, in the upstream's order", () => {
    expect(filteredCategories({ hate: { filtered: false, severity: "safe" }, self_harm: { filtered: true, severity: "low" }, protected_material_code: { filtered: true, detected: true } })).toEqual([
      "self-harm (severity low)",
      "protected material (code) (detected)",
    ]);
    expect(filteredCategories(undefined)).toEqual([]);
    expect(filteredCategories({ custom_blocklists: [{ filtered: true, id: "a" }, { filtered: false, id: "b" }] })).toEqual(["custom blocklist a"]);
  });
});
