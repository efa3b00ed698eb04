import { describe, test } from "bun:test";
import { buildGeminiRequest, toGeminiBody } from "../../../src/providers/gemini/request.ts";
import type { ChatRequest, Message } from "../../../src/canonical/chat.ts";
import { API_KEY, assistant, at, build, buildFor, chatRequest, deepFreeze, DROP, expect, refused, STRICT, system, TARGET, user } from "./helpers.ts";

describe("URL, headers and the basic body", () => {
  test("POSTs {base}/models/{model}:generateContent with the key in x-goog-api-key", () => {
    const { upstream, body } = build();
    expect(upstream.url).toBe("https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent");
    expect(upstream.headers).toEqual({ "content-type": "application/json", accept: "application/json", "x-goog-api-key": API_KEY });
    expect(body).toEqual({ contents: [{ role: "user", parts: [{ text: "Hi" }] }] });
  });

  test("streaming uses :streamGenerateContent?alt=sse and asks for SSE; the body is the same", () => {
    const { upstream, body } = build({ stream: true }, STRICT, { ...TARGET, apiBase: "http://127.0.0.1:9/v1beta/" });
    expect(upstream.url).toBe("http://127.0.0.1:9/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
    expect(upstream.headers.accept).toBe("text/event-stream");
    expect(body).toEqual({ contents: [{ role: "user", parts: [{ text: "Hi" }] }] });
  });

  test("a model id that is already a resource name is not prefixed again; deployment headers are merged, lowercased", () => {
    const tuned = build({}, STRICT, { ...TARGET, model: "tunedModels/my-tune-7", headers: { "X-Goog-User-Project": "billing-1" } });
    expect(tuned.upstream.url).toBe("https://generativelanguage.googleapis.com/v1beta/tunedModels/my-tune-7:generateContent");
    expect(tuned.upstream.headers["x-goog-user-project"]).toBe("billing-1");
    const noKey = build({}, STRICT, { model: "gemini-2.0-flash", apiBase: "http://proxy/v1beta" });
    expect("x-goog-api-key" in noKey.upstream.headers).toBe(false);
  });

  test("toGeminiBody is pure: the same body for the same request, the input untouched, state names the model", () => {
    const request = deepFreeze(chatRequest({ messages: [system("Be brief."), user("Hi")], temperature: 0.2 }));
    const first = toGeminiBody(request, STRICT, { model: "gemini-2.0-flash" });
    expect(first.body).toEqual(toGeminiBody(request, STRICT, { model: "gemini-2.0-flash" }).body);
    expect(first.state).toEqual({ model: "gemini-2.0-flash", reverseNames: new Map() });
    expect(toGeminiBody(request, STRICT).state.model).toBe("gemini-2.5-flash");
  });
});

describe("system instruction and turns", () => {
  test("system messages anywhere join systemInstruction in order; empty ones are dropped", () => {
    const { body } = build({ messages: [system("You are terse."), user("Hi"), system(""), assistant("Hello."), system("Answer in French."), user("Weather?")] });
    expect(body.systemInstruction).toEqual({ parts: [{ text: "You are terse." }, { text: "Answer in French." }] });
    expect(body.contents).toEqual([
      { role: "user", parts: [{ text: "Hi" }] },
      { role: "model", parts: [{ text: "Hello." }] },
      { role: "user", parts: [{ text: "Weather?" }] },
    ]);
  });

  test("consecutive user messages merge into one turn; empty text parts are left out", () => {
    const messages: Message[] = [user("First."), { role: "user", content: [{ type: "text", text: "" }, { type: "text", text: "Second." }] }, assistant(""), user("Third.")];
    const { body } = build({ messages });
    expect(body.contents).toEqual([{ role: "user", parts: [{ text: "First." }, { text: "Second." }, { text: "Third." }] }]);
  });

  test("Gemma takes no systemInstruction: the system text leads the first user turn", () => {
    const { body } = buildFor("gemma-3-27b-it", { messages: [system("Be brief."), system("Use French."), user("Hi")] });
    expect(body.systemInstruction).toBeUndefined();
    expect(body.contents).toEqual([{ role: "user", parts: [{ text: "Be brief.\n\nUse French." }, { text: "Hi" }] }]);
  });

  test("a request of system messages only is sent as a user turn", () => {
    const { body } = build({ messages: [system("Write a haiku about rain.")] });
    expect(body).toEqual({ contents: [{ role: "user", parts: [{ text: "Write a haiku about rain." }] }] });
  });

  test("a system message with an image is refused", () => {
    const error = refused(() => build({ messages: [{ role: "system", content: [{ type: "image", source: { kind: "url", url: "https://x/y.png" } }] }, user("Hi")] }));
    expect(error.message).toBe("messages[0]: a system message cannot hold a image part on Gemini.");
  });
});

describe("images and documents", () => {
  const withParts = (content: Message["content"]) => at(build({ messages: [{ role: "user", content }] }).body, "contents", 0, "parts");

  test("inline base64 and base64 data: URIs become inlineData", () => {
    expect(
      withParts([
        { type: "text", text: "What is this?" },
        { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBORw0KGgo=" } },
        { type: "image", source: { kind: "url", url: "data:image/webp;base64,UklGRg==" }, detail: "low" },
      ]),
    ).toEqual([{ text: "What is this?" }, { inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } }, { inlineData: { mimeType: "image/webp", data: "UklGRg==" } }]);
  });

  test("URLs become fileData with the type their extension names; unknown extensions fall back per kind", () => {
    expect(
      withParts([
        { type: "image", source: { kind: "url", url: "gs://bucket/photos/cat.JPG" } },
        { type: "image", source: { kind: "url", url: "https://example.com/chart.png?size=large#top" } },
        { type: "image", source: { kind: "url", url: "https://example.com/render?id=7" } },
        { type: "document", source: { kind: "url", url: "https://generativelanguage.googleapis.com/v1beta/files/abc123" } },
        { type: "document", source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0=" }, title: "Report" },
      ]),
    ).toEqual([
      { fileData: { mimeType: "image/jpeg", fileUri: "gs://bucket/photos/cat.JPG" } },
      { fileData: { mimeType: "image/png", fileUri: "https://example.com/chart.png?size=large#top" } },
      { fileData: { mimeType: "image/jpeg", fileUri: "https://example.com/render?id=7" } },
      { fileData: { mimeType: "application/pdf", fileUri: "https://generativelanguage.googleapis.com/v1beta/files/abc123" } },
      { inlineData: { mimeType: "application/pdf", data: "JVBERi0=" } },
    ]);
  });

  test("a data: URI that is not base64 is refused", () => {
    const error = refused(() => withParts([{ type: "image", source: { kind: "url", url: "data:image/svg+xml,%3Csvg%3E" } }]));
    expect(error.details.param).toBe("messages[0]");
  });
});

describe("generationConfig", () => {
  test("sampling, length, stop and seed map field by field", () => {
    const { body } = buildFor("gemini-2.0-flash", { temperature: 0.3, topP: 0.9, topK: 40, maxTokens: 256, stop: ["END", "###"], seed: 42 });
    expect(body.generationConfig).toEqual({ temperature: 0.3, topP: 0.9, topK: 40, maxOutputTokens: 256, stopSequences: ["END", "###"], seed: 42 });
  });

  test("more than five stop sequences: refused, or the first five with drop_params", () => {
    const stop = ["a", "b", "c", "d", "e", "f"];
    expect(refused(() => build({ stop })).message).toBe("Gemini takes at most 5 stop sequences, got 6. Remove 'stop', or set drop_params: true to have the gateway drop it.");
    expect(at(build({ stop }, DROP).body, "generationConfig", "stopSequences")).toEqual(["a", "b", "c", "d", "e"]);
  });

  test("json_object asks for JSON; json_schema adds responseJsonSchema without $schema and with const as enum", () => {
    expect(build({ responseFormat: { type: "json_object" } }).body.generationConfig).toEqual({ responseMimeType: "application/json" });
    const schema = {
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      properties: { kind: { const: "city" }, const: { type: "string" }, tags: { type: "array", items: { $schema: "x", type: "string" } } },
      required: ["kind"],
      additionalProperties: false,
    };
    const { body } = build({ responseFormat: { type: "json_schema", name: "place", schema, strict: true } });
    expect(body.generationConfig).toEqual({
      responseMimeType: "application/json",
      responseJsonSchema: {
        type: "object",
        properties: { kind: { enum: ["city"] }, const: { type: "string" }, tags: { type: "array", items: { type: "string" } } },
        required: ["kind"],
        additionalProperties: false,
      },
    });
    expect(build({ responseFormat: { type: "text" } }).body.generationConfig).toBeUndefined();
  });
});

describe("thinking", () => {
  const thinking = (model: string, reasoning: ChatRequest["reasoning"]) => at(buildFor(model, { reasoning }).body, "generationConfig", "thinkingConfig");

  test("an effort level is a budget on Gemini 2.5 and a level on Gemini 3, with thoughts included", () => {
    expect(thinking("gemini-2.5-flash", { effort: "low" })).toEqual({ thinkingBudget: 1024, includeThoughts: true });
    expect(thinking("gemini-2.5-pro", { effort: "high" })).toEqual({ thinkingBudget: 4096, includeThoughts: true });
    expect(thinking("gemini-3-pro-preview", { effort: "high" })).toEqual({ thinkingLevel: "high", includeThoughts: true });
    expect(thinking("gemini-3-flash-preview", { effort: "medium" })).toEqual({ thinkingLevel: "medium", includeThoughts: true });
  });

  test("minimal is the model's lowest level on Gemini 3", () => {
    expect(thinking("gemini-3-flash-preview", { effort: "minimal" })).toEqual({ thinkingLevel: "minimal", includeThoughts: true });
    expect(thinking("gemini-3-pro-preview", { effort: "minimal" })).toEqual({ thinkingLevel: "low", includeThoughts: true });
    expect(thinking("gemini-3.7-flash", { effort: "minimal" })).toEqual({ thinkingLevel: "low", includeThoughts: true });
    expect(thinking("gemini-2.5-flash", { effort: "minimal" })).toEqual({ thinkingBudget: 128, includeThoughts: true });
  });

  test("an explicit budget is sent as is on every model; a fractional one is refused", () => {
    expect(thinking("gemini-2.5-flash", { enabled: true, budgetTokens: 6000 })).toEqual({ thinkingBudget: 6000, includeThoughts: true });
    expect(thinking("gemini-3-pro-preview", { budgetTokens: 2048 })).toEqual({ thinkingBudget: 2048, includeThoughts: true });
    expect(refused(() => thinking("gemini-2.5-flash", { budgetTokens: 10.5 })).details.param).toBe("thinking");
  });

  test("thinking off: budget 0, 128 on 2.5 Pro (its minimum), the lowest level on Gemini 3", () => {
    expect(thinking("gemini-2.5-flash", { enabled: false })).toEqual({ thinkingBudget: 0 });
    expect(thinking("gemini-2.5-pro", { enabled: false })).toEqual({ thinkingBudget: 128 });
    expect(thinking("gemini-3-pro-preview", { enabled: false })).toEqual({ thinkingLevel: "low" });
    expect(thinking("gemini-2.5-flash", undefined)).toBeUndefined();
  });
});

describe("extra parameters", () => {
  test("penalties go in generationConfig; zero is OpenAI's default and sends nothing", () => {
    const { body } = buildFor("gemini-2.0-flash", { extra: { presence_penalty: 0.5, frequency_penalty: 0 } });
    expect(body.generationConfig).toEqual({ presencePenalty: 0.5 });
  });

  test("Gemini 2.5 on the Gemini API refuses penalties: 400, dropped with drop_params, sent on Vertex AI", () => {
    expect(refused(() => build({ extra: { frequency_penalty: 0.4 } })).message).toBe(
      "Gemini does not support frequency_penalty on gemini-2.5-flash. Remove 'frequency_penalty', or set drop_params: true to have the gateway drop it.",
    );
    expect(build({ extra: { frequency_penalty: 0.4 } }, DROP).body.generationConfig).toBeUndefined();
    expect(toGeminiBody(chatRequest({ extra: { frequency_penalty: 0.4 } }), STRICT, { vertex: true }).body.generationConfig).toEqual({ frequencyPenalty: 0.4 });
  });

  test("safety_settings and cached_content become body fields; user is left out", () => {
    const safety = [{ category: "HARM_CATEGORY_HARASSMENT", threshold: "BLOCK_NONE" }];
    const { body } = build({ user: "user-42", extra: { safety_settings: safety, cached_content: "cachedContents/abc123" } });
    expect(body).toEqual({ contents: [{ role: "user", parts: [{ text: "Hi" }] }], safetySettings: safety, cachedContent: "cachedContents/abc123" });
  });

  test("an unknown parameter is refused by name, or dropped with drop_params", () => {
    const error = refused(() => build({ extra: { logit_bias: { "50256": -100 } } }));
    expect(error.message).toBe("Gemini does not support the parameter 'logit_bias'. Remove 'logit_bias', or set drop_params: true to have the gateway drop it.");
    expect(error.details.param).toBe("logit_bias");
    expect(build({ extra: { logit_bias: { "50256": -100 }, logprobs: true } }, DROP).body).toEqual({ contents: [{ role: "user", parts: [{ text: "Hi" }] }] });
    expect(build({ extra: { logprobs: false, n: 1 } }).body.generationConfig).toBeUndefined();
  });

  test("buildGeminiRequest uses the target's model, not the request's", () => {
    const { upstream } = buildGeminiRequest(chatRequest({ model: "my-alias" }), { ...TARGET, model: "gemini-2.0-flash-001" }, STRICT);
    expect(upstream.url.endsWith("/models/gemini-2.0-flash-001:generateContent")).toBe(true);
  });
});
