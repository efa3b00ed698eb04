import { describe, expect, test } from "bun:test";
import { joinUnderRoot, pathAfterPrefix, pathProblem, rawQueryOf } from "../../src/passthrough/path.ts";

describe("pathProblem: what a pass-through path may hold", () => {
  test("the paths the providers' SDKs send pass", () => {
    for (const path of [
      "v1/messages",
      "v1/messages/batches/msgbatch_01/results",
      "v1/chat/completions",
      "v1beta/models/gemini-2.0-flash:streamGenerateContent",
      "openai/deployments/my-gpt.4o_dep/chat/completions",
      "v2/chat",
      "v1/files/file-abc123/content",
      "projects/p/locations/us-east5/publishers/anthropic/models/claude-3-5-sonnet@20240620:rawPredict",
      "v1/models/",
      "v1/files/a%20b",
      "v1/x%3Ay",
    ]) {
      expect(`${path}: ${pathProblem(path) ?? "ok"}`).toBe(`${path}: ok`);
    }
  });

  test("anything that could move the URL off the root is refused, in any encoding", () => {
    const refused = [
      "",
      "..",
      "../v1/messages",
      "v1/../../admin",
      "v1/./messages",
      ".",
      "v1//messages",
      "/v1/messages",
      "//evil.example/x",
      "@evil.example/x",
      "v1/@evil.example",
      "v1\\..\\admin",
      "v1/%2e%2e/admin",
      "v1/%2E%2E/admin",
      "v1/.%2e/admin",
      "v1%2f..%2fadmin",
      "v1%2F..",
      "v1%5c..%5cadmin",
      "v1/%252e%252e/admin",
      "v1/%25",
      "v1/%3f",
      "v1/%3Fkey=x",
      "v1/%23frag",
      "v1/%40evil",
      "v1/%3b",
      "v1;jsessionid=1/messages",
      "v1/..;/admin",
      "v1/%00",
      "v1/%0d%0aHost:%20evil",
      "v1/%c0%ae%c0%ae/admin",
      "v1/%e2%80%ae",
      "v1/%",
      "v1/%zz",
      "v1/a b",
      "v1/<script>",
    ];
    for (const path of refused) expect(`${path}: ${pathProblem(path) === undefined ? "passed" : "refused"}`).toBe(`${path}: refused`);
  });
});

describe("pathProblem with a segment escape (Bedrock's ARNs carry %2F)", () => {
  const slash = new Set(["/"]);
  const ARN = "model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse";

  test("an ARN passes where the provider reads %2F, and only there", () => {
    expect(pathProblem(ARN, slash)).toBeUndefined();
    expect(pathProblem("model/arn%3Aaws%3Abedrock%3Aus-west-2%3A1%3Aapplication-inference-profile%2Fabc123/invoke", slash)).toBeUndefined();
    expect(pathProblem(ARN)).toContain("escapes '/'");
  });

  test("an escaped '/' never hides an empty, dot or '@' segment", () => {
    for (const path of ["model/..%2f..%2fadmin/converse", "model/x%2F..%2Fy/converse", "model/%2Fx/converse", "model/x%2F/converse", "model/x%2F%2Fy/converse", "%2F127.0.0.1:9", "model/x%2F%40evil/converse", "model/x%2F@evil/converse", "model/x%2F.%2Fy/converse"]) {
      expect(`${path}: ${pathProblem(path, slash) === undefined ? "passed" : "refused"}`).toBe(`${path}: refused`);
    }
  });
});

describe("joinUnderRoot", () => {
  test("joins under the root's path and keeps the query", () => {
    expect(joinUnderRoot("https://api.anthropic.com", "v1/messages", "beta=true")).toBe("https://api.anthropic.com/v1/messages?beta=true");
    expect(joinUnderRoot("https://proxy.example/anthropic", "v1/messages", "")).toBe("https://proxy.example/anthropic/v1/messages");
  });

  test("a path a parser would resolve elsewhere is refused even if it got past the check", () => {
    expect(() => joinUnderRoot("https://api.anthropic.com", "v1/%2e%2e/x", "")).toThrow(/leave the provider's API root/);
    expect(() => joinUnderRoot("https://api.anthropic.com", "v1/../x", "")).toThrow(/leave/);
    expect(() => joinUnderRoot("https://api.anthropic.com", "v1\\..\\x", "")).toThrow(/leave/);
  });
});

test("the client's path after the prefix, and the raw query", () => {
  expect(pathAfterPrefix("http://gw/anthropic/v1/messages?x=1", "anthropic")).toBe("v1/messages");
  expect(pathAfterPrefix("http://gw/anthropic", "anthropic")).toBe("");
  expect(pathAfterPrefix("http://gw/anthropicx/v1", "anthropic")).toBeUndefined();
  expect(rawQueryOf("http://gw/gemini/v1beta/x?alt=sse&key=k")).toBe("alt=sse&key=k");
  expect(rawQueryOf("http://gw/x")).toBe("");
});
