import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../src/canonical/errors.ts";
import { encodePathSegment, modelIdProblem, modelIdSegment } from "../../src/providers/model-id.ts";
import { HOSTILE, LEGITIMATE } from "../support/model-names.ts";

describe("modelIdProblem", () => {
  for (const name of HOSTILE) {
    test(`refuses ${JSON.stringify(name)}`, () => {
      expect(modelIdProblem(name)).toBeString();
    });
  }
  for (const name of LEGITIMATE) {
    test(`accepts ${JSON.stringify(name)}`, () => {
      expect(modelIdProblem(name)).toBeUndefined();
    });
  }

  test("says what is wrong, without echoing the whole name", () => {
    expect(modelIdProblem("a?b")).toContain("'?'");
    expect(modelIdProblem("a#b")).toContain("'#'");
    expect(modelIdProblem("a\\b")).toContain("backslash");
    expect(modelIdProblem("x/../y")).toContain("'..'");
    expect(modelIdProblem("a%2Fb")).toContain("%2F");
    expect(modelIdProblem("a\u0000b")).toContain("U+0000");
    expect(modelIdProblem(" ")).toContain("blank");
    expect(modelIdProblem(`${"x".repeat(5000)}?`)?.length).toBeLessThan(200);
  });
});

describe("modelIdSegment", () => {
  test("a hostile name is a 400 on `model` naming the provider, never a URL", () => {
    for (const name of HOSTILE) {
      let thrown: unknown;
      try {
        modelIdSegment(name, "Gemini");
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(GatewayError);
      const error = thrown as GatewayError;
      expect([error.code, error.status, error.details.param]).toEqual(["caller.invalid_request", 400, "model"]);
      expect(error.message).toContain("Gemini");
    }
  });

  test("a legitimate name becomes one segment that decodes back to it", () => {
    for (const name of LEGITIMATE) {
      const segment = modelIdSegment(name, "Amazon Bedrock", { slash: true });
      expect(segment).not.toMatch(/[/?#\\\s]/);
      expect(decodeURIComponent(segment)).toBe(name);
    }
    expect(modelIdSegment("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.x-v1:0", "Amazon Bedrock", { slash: true })).toBe(
      "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.x-v1%3A0",
    );
  });

  test("without `slash`, a '/' in the id is refused: the provider's ids are one name", () => {
    expect(() => modelIdSegment("meta/llama", "Vertex AI")).toThrow("one name");
    expect(modelIdSegment("claude-sonnet-4-5@20250929", "Vertex AI", { keepAt: true })).toBe("claude-sonnet-4-5@20250929");
    expect(modelIdSegment("claude-sonnet-4-5@20250929", "Gemini")).toBe("claude-sonnet-4-5%4020250929");
  });
});

describe("encodePathSegment", () => {
  test("encodes as AWS's SDK does (encodeURIComponent, and !'()* too)", () => {
    expect(encodePathSegment("a b/c:d!e'f(g)h*i~j")).toBe("a%20b%2Fc%3Ad%21e%27f%28g%29h%2Ai~j");
  });
});
