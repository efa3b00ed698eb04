import { describe, expect, test } from "bun:test";
import { toVertexAnthropicBody, toVertexAnthropicCountTokensBody, VERTEX_ANTHROPIC_VERSION } from "../../../src/providers/vertex/anthropic-body.ts";
import { vertexAnthropicCountTokensUrl, vertexAnthropicUrl, vertexGeminiUrl, vertexHost, vertexPublisher } from "../../../src/providers/vertex/urls.ts";
import { GatewayError } from "../../../src/canonical/errors.ts";

describe("Vertex AI URLs", () => {
  test("Gemini, regional: generateContent and streamGenerateContent?alt=sse", () => {
    expect(vertexGeminiUrl("my-project", "us-central1", "gemini-2.5-flash", false)).toBe(
      "https://us-central1-aiplatform.googleapis.com/v1/projects/my-project/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent",
    );
    expect(vertexGeminiUrl("my-project", "europe-west4", "gemini-2.5-pro", true)).toBe(
      "https://europe-west4-aiplatform.googleapis.com/v1/projects/my-project/locations/europe-west4/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse",
    );
  });

  test("the global location uses the host without a region", () => {
    expect(vertexHost("global")).toBe("aiplatform.googleapis.com");
    expect(vertexGeminiUrl("p", "global", "gemini-2.0-flash-001", false)).toBe(
      "https://aiplatform.googleapis.com/v1/projects/p/locations/global/publishers/google/models/gemini-2.0-flash-001:generateContent",
    );
    expect(vertexAnthropicUrl("p", "global", "claude-sonnet-4-5@20250929", true)).toBe(
      "https://aiplatform.googleapis.com/v1/projects/p/locations/global/publishers/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict",
    );
  });

  test("Claude: rawPredict and streamRawPredict, the @version kept literally", () => {
    expect(vertexAnthropicUrl("my-project", "us-east5", "claude-3-5-haiku@20241022", false)).toBe(
      "https://us-east5-aiplatform.googleapis.com/v1/projects/my-project/locations/us-east5/publishers/anthropic/models/claude-3-5-haiku@20241022:rawPredict",
    );
    expect(vertexAnthropicUrl("my-project", "us-east5", "claude-3-5-haiku@20241022", true)).toEndWith("/models/claude-3-5-haiku@20241022:streamRawPredict");
    expect(vertexAnthropicCountTokensUrl("my-project", "us-east5")).toBe(
      "https://us-east5-aiplatform.googleapis.com/v1/projects/my-project/locations/us-east5/publishers/anthropic/models/count-tokens:rawPredict",
    );
  });

  test("apiBase replaces the host; a versioned apiBase keeps its version", () => {
    expect(vertexGeminiUrl("p", "us-central1", "gemini-2.5-flash", false, "http://127.0.0.1:9000/")).toBe(
      "http://127.0.0.1:9000/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent",
    );
    expect(vertexGeminiUrl("p", "us-central1", "gemini-2.5-flash", true, "https://psc.example.internal/v1beta1")).toBe(
      "https://psc.example.internal/v1beta1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
    );
  });

  test("reserved characters are escaped; path-breaking model ids, bad locations and empty names refused", () => {
    expect(vertexGeminiUrl("p", "us-central1", "my model:v2", false)).toContain("/models/my%20model%3Av2:generateContent");
    expect(vertexGeminiUrl("my project", "us-central1", "gemini-2.5-flash", false)).toContain("/projects/my%20project/locations/");
    for (const model of ["x/../y?z", "a#b", "..", "a/b"]) expect(() => vertexGeminiUrl("p", "us-central1", model, false)).toThrow(GatewayError);
    for (const location of ["evil.com/", "US-CENTRAL1", "", "us central1"]) {
      expect(() => vertexGeminiUrl("p", location, "gemini-2.5-flash", false)).toThrow(GatewayError);
    }
    expect(() => vertexAnthropicUrl("", "us-east5", "claude-x", false)).toThrow("project");
    expect(() => vertexAnthropicUrl("p", "us-east5", " ", false)).toThrow("model");
  });

  test("vertexPublisher: claude* is Anthropic's, everything else Google's", () => {
    expect(vertexPublisher("claude-sonnet-4-5@20250929")).toBe("anthropic");
    expect(vertexPublisher("Claude-3-haiku@20240307")).toBe("anthropic");
    expect(vertexPublisher("gemini-2.5-pro")).toBe("google");
    expect(vertexPublisher("text-embedding-005")).toBe("google");
  });
});

describe("toVertexAnthropicBody", () => {
  test("text: removes model, adds anthropic_version, leaves every other byte alone", () => {
    const raw = '{"model": "claude-sonnet-4-5",  "max_tokens": 1.0e3, "messages":[{"role":"user","content":"hi \\u00e9"}], "x_vendor": {"a": [1, 2]}}';
    const out = toVertexAnthropicBody(raw);
    expect(out).toBe('{"max_tokens": 1.0e3, "messages":[{"role":"user","content":"hi \\u00e9"}], "x_vendor": {"a": [1, 2]},"anthropic_version":"vertex-2023-10-16"}');
    const parsed = JSON.parse(out) as Record<string, unknown>;
    expect("model" in parsed).toBe(false);
    expect(parsed.anthropic_version).toBe(VERTEX_ANTHROPIC_VERSION);
  });

  test("a client-sent anthropic_version is replaced (Vertex takes only its own)", () => {
    const out = JSON.parse(toVertexAnthropicBody('{"anthropic_version":"2023-06-01","model":"m","max_tokens":5,"messages":[]}')) as Record<string, unknown>;
    expect(out).toEqual({ anthropic_version: "vertex-2023-10-16", max_tokens: 5, messages: [] });
  });

  test("object: serialised once without model, with thinking/cache_control kept", () => {
    const body = {
      model: "claude-opus-4-1",
      max_tokens: 2048,
      thinking: { type: "enabled", budget_tokens: 1024 },
      system: [{ type: "text", text: "sys", cache_control: { type: "ephemeral" } }],
      messages: [{ role: "user", content: "hi" }],
      stream: true,
    };
    expect(JSON.parse(toVertexAnthropicBody(body))).toEqual({
      anthropic_version: "vertex-2023-10-16",
      max_tokens: 2048,
      thinking: { type: "enabled", budget_tokens: 1024 },
      system: [{ type: "text", text: "sys", cache_control: { type: "ephemeral" } }],
      messages: [{ role: "user", content: "hi" }],
      stream: true,
    });
    expect(body.model).toBe("claude-opus-4-1");
  });

  test("count-tokens keeps model; text that is not an object is refused", () => {
    expect(JSON.parse(toVertexAnthropicCountTokensBody('{"model":"claude-x","messages":[]}'))).toEqual({ model: "claude-x", messages: [], anthropic_version: "vertex-2023-10-16" });
    expect(() => toVertexAnthropicBody("[1]")).toThrow(GatewayError);
  });
});
