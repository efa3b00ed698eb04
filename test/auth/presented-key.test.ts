import { describe, expect, test } from "bun:test";
import { presentedKey } from "../../src/auth/authenticate.ts";

const key = (headers: Record<string, string>) => presentedKey(new Headers(headers));

describe("presentedKey: the headers a client's key comes in, in LiteLLM's order", () => {
  test("Authorization: Bearer (OpenAI SDK), x-api-key (Anthropic SDK), api-key (Azure OpenAI SDK)", () => {
    expect(key({ authorization: "Bearer sk-a" })).toBe("sk-a");
    expect(key({ "x-api-key": "sk-x" })).toBe("sk-x");
    expect(key({ "api-key": "sk-azure" })).toBe("sk-azure");
    expect(key({ "API-Key": " sk-azure " })).toBe("sk-azure");
    expect(key({})).toBeUndefined();
  });

  test("Authorization wins over both; api-key over x-api-key, as LiteLLM reads them", () => {
    expect(key({ authorization: "Bearer sk-a", "api-key": "sk-azure", "x-api-key": "sk-x" })).toBe("sk-a");
    expect(key({ "api-key": "sk-azure", "x-api-key": "sk-x" })).toBe("sk-azure");
  });

  test("an Authorization header that is not a bearer key is no key, even beside another header", () => {
    expect(key({ authorization: "Basic abc", "api-key": "sk-azure" })).toBeUndefined();
  });

  test("an empty header counts as absent", () => {
    expect(key({ "api-key": "", "x-api-key": "sk-x" })).toBe("sk-x");
    expect(key({ "api-key": "  " })).toBeUndefined();
  });

  test("x-litellm-api-key and x-switchboard-api-key win over Authorization, which a client may keep for an upstream (MCP clients)", () => {
    expect(key({ "x-litellm-api-key": "sk-l", authorization: "Bearer upstream-token" })).toBe("sk-l");
    expect(key({ "x-switchboard-api-key": "sk-s", authorization: "Basic abc" })).toBe("sk-s");
    expect(key({ "x-litellm-api-key": "sk-l", "x-switchboard-api-key": "sk-s" })).toBe("sk-l");
    // LiteLLM's documentation writes the header's value with a Bearer prefix.
    expect(key({ "x-litellm-api-key": "Bearer sk-l" })).toBe("sk-l");
    expect(key({ "x-switchboard-api-key": " bearer  sk-s " })).toBe("sk-s");
    expect(key({ "x-litellm-api-key": "", authorization: "Bearer sk-a" })).toBe("sk-a");
  });
});
