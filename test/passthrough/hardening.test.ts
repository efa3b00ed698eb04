/**
 * Pass-through attacks found in review, over a live gateway and a mock upstream: a client's key
 * smuggled past the query filter, models run without being named, bodies read one way by the
 * gateway and another by the upstream, headers that pick whose account is billed.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import type { GeneratedKeyJson } from "../../src/admin/responses.ts";
import { startAccountsGateway, type AccountsGateway } from "../support/accounts.ts";
import { recordsSettled } from "../support/build-test-app.ts";
import { startMockNative, type MockNative } from "../support/mock-native.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-passthrough-hardening-");
const UPSTREAM_KEY = "sk-upstream-hardening-0123456789";
const PRICE = { input: 1, output: 2 };

let mock: MockNative;
let gateway: AccountsGateway;

beforeAll(async () => {
  mock = await startMockNative();
  gateway = await startAccountsGateway(
    {
      models: [
        { model_name: "flash", model: "gemini/gemini-2.0-flash", api_base: `${mock.url}/v1beta`, api_key: UPSTREAM_KEY, price: PRICE, use_in_pass_through: true },
        { model_name: "mini", model: "openai/gpt-4o-mini", api_base: `${mock.url}/v1`, api_key: UPSTREAM_KEY, price: PRICE, use_in_pass_through: true },
        { model_name: "small", model: "mistral/mistral-small", api_base: `${mock.url}/v1`, api_key: UPSTREAM_KEY, price: PRICE, use_in_pass_through: true },
      ],
    },
    { dataDir: dirname(await tmp.file("marker", "")) },
  );
});
afterAll(async () => {
  await gateway?.stop();
  await mock?.stop();
});

const newKey = async (body: Record<string, unknown>) => (await gateway.admin<GeneratedKeyJson>("POST", "/key/generate", body)).body.key;
const post = (path: string, key: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${gateway.origin}${path}`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers }, body });

describe("the client's key never reaches the upstream", () => {
  test("a `key` query parameter is dropped however its name is escaped (Gemini reads `k%65y` as `key`)", async () => {
    const key = await newKey({});
    for (const query of [`k%65y=${key}`, `%6B%65%79=${key}`, `alt=sse&%6bey=${key}`]) {
      const before = mock.requests.length;
      const response = await fetch(`${gateway.origin}/gemini/v1beta/models/gemini-2.0-flash:countTokens?${query}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      expect(response.status).toBe(200);
      expect(mock.requests.length).toBe(before + 1);
      const sent = mock.requests.at(-1);
      expect(sent?.search ?? "").not.toContain(key);
      expect(sent?.headers["x-goog-api-key"]).toBe(UPSTREAM_KEY);
    }
    // Other parameters go up as the client wrote them.
    await fetch(`${gateway.origin}/gemini/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse&k%65y=${key}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(mock.requests.at(-1)?.search).toBe("?alt=sse");
  });

  test("a Google OAuth `access_token` query parameter of the client's never goes up either", async () => {
    const key = await newKey({});
    const response = await post("/gemini/v1beta/models/gemini-2.0-flash:countTokens?access_token=ya29.client-own-token&alt=json", key, "{}");
    expect(response.status).toBe(200);
    expect(mock.requests.at(-1)?.search).toBe("?alt=json");
  });
});

describe("a call's method is the one the upstream runs", () => {
  test("method-override headers never go up, and a path naming a model is checked whatever the method", async () => {
    const key = await newKey({ models: ["flash"] });
    const before = mock.requests.length;
    const response = await fetch(`${gateway.origin}/gemini/v1beta/models/gemini-2.5-pro:generateContent`, {
      method: "PUT",
      headers: { "x-goog-api-key": key, "content-type": "application/json", "x-http-method-override": "POST" },
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }] }),
    });
    expect(response.status).toBe(403);
    expect(mock.requests.length).toBe(before);
    await fetch(`${gateway.origin}/gemini/v1beta/files`, { headers: { "x-goog-api-key": key, "x-http-method-override": "DELETE", "x-http-method": "DELETE", "x-method-override": "DELETE" } });
    expect(Object.keys(mock.requests.at(-1)?.headers ?? {}).filter((name) => name.includes("method"))).toEqual([]);
  });
});

describe("calls that run a model they need not name", () => {
  /** Each runs a model the request does not (or need not) name: the endpoint's default, a batch's file, an assistant's, an agent's. */
  const UNNAMED: [string, string][] = [
    ["/openai/v1/images/generations", JSON.stringify({ prompt: "a cat" })],
    ["/openai/v1/batches", JSON.stringify({ input_file_id: "file-1", endpoint: "/v1/chat/completions", completion_window: "24h" })],
    ["/openai/v1/threads/thread_1/runs", JSON.stringify({ assistant_id: "asst_1" })],
    ["/openai/v1/threads/runs", JSON.stringify({ assistant_id: "asst_1", thread: { messages: [] } })],
    ["/openai/v1/realtime/sessions", "{}"],
    ["/openai/v1/evals/eval_1/runs", JSON.stringify({ data_source: { type: "completions", model: "o3" } })],
    ["/mistral/v1/agents/completions", JSON.stringify({ agent_id: "ag_1", messages: [{ role: "user", content: "hi" }] })],
    ["/mistral/v1/conversations", JSON.stringify({ agent_id: "ag_1", inputs: "hi" })],
  ];

  test("a key limited to some models may not make them (403), nothing goes upstream", async () => {
    const key = await newKey({ models: ["mini", "small"] });
    for (const [path, body] of UNNAMED) {
      const before = mock.requests.length;
      const response = await post(path, key, body);
      expect(`${path} -> ${response.status}`).toBe(`${path} -> 403`);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain("does not name");
      expect(mock.requests.length).toBe(before);
    }
  });

  test("a key with a budget may not make them (their cost is not the gateway's to count)", async () => {
    const key = await newKey({ max_budget: 10 });
    for (const [path, body] of UNNAMED) {
      const before = mock.requests.length;
      const response = await post(path, key, body);
      expect(`${path} -> ${response.status}`).toBe(`${path} -> 400`);
      expect(mock.requests.length).toBe(before);
    }
  });

  test("a key allowed every model of the provider, without a budget, may", async () => {
    const key = await newKey({ models: ["openai/*", "mistral/*"] });
    for (const [path, body] of UNNAMED) expect(`${path} -> ${(await post(path, key, body)).status}`).toBe(`${path} -> 200`);
    const open = await newKey({});
    const count = gateway.records.length;
    const answer = await post("/openai/v1/images/generations", open, JSON.stringify({ prompt: "a cat" }));
    expect(answer.status).toBe(200);
    await answer.text();
    // The model it ran is unknown, so is its cost (not free).
    const row = (await recordsSettled(gateway, count + 1)).at(-1);
    expect(row).toMatchObject({ operation: "pass_through_endpoint", model: "", outcome: "ok" });
    expect(row?.costNano).toBeUndefined();
  });

  test("a `model` in a body whose endpoint runs another (a batch's file, an eval's source, an agent's) names nothing", async () => {
    const key = await newKey({ models: ["mini", "small"] });
    for (const [path, body] of [
      ["/openai/v1/batches", { input_file_id: "file-1", endpoint: "/v1/chat/completions", completion_window: "24h", model: "gpt-4o-mini" }],
      ["/openai/v1/evals/eval_1/runs", { data_source: { type: "completions", model: "o3" }, model: "gpt-4o-mini" }],
      ["/openai/v1/threads/t_1/runs/r_1/submit_tool_outputs", { tool_outputs: [], model: "gpt-4o-mini" }],
      ["/mistral/v1/agents/completions", { agent_id: "ag_1", model: "mistral-small", messages: [] }],
      ["/mistral/v1/conversations", { agent_id: "ag_1", model: "mistral-small", inputs: "hi" }],
      ["/mistral/v1/conversations/conv_1", { inputs: "more", model: "mistral-small" }],
    ] as const) {
      expect(`${path} -> ${(await post(path, key, JSON.stringify(body))).status}`).toBe(`${path} -> 403`);
    }
    // Starting a conversation with a model (no agent) runs that model.
    expect((await post("/mistral/v1/conversations", key, JSON.stringify({ model: "mistral-small", inputs: "hi" }))).status).toBe(200);
  });

  test("naming the model makes it a call of that model; calls that run none stay open to every key", async () => {
    const key = await newKey({ models: ["mini"] });
    expect((await post("/openai/v1/images/generations", key, JSON.stringify({ model: "dall-e-3", prompt: "a cat" }))).status).toBe(403);
    expect((await post("/openai/v1/threads/thread_1/runs", key, JSON.stringify({ assistant_id: "asst_1", model: "gpt-4o-mini" }))).status).toBe(200);
    expect((await post("/openai/v1/threads/thread_1/messages", key, JSON.stringify({ role: "user", content: "hi" }))).status).toBe(200);
    expect((await fetch(`${gateway.origin}/openai/v1/files`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
  });
});

describe("a body the gateway reads as the upstream would", () => {
  const refused = async (response: Response, before: number, says: string) => {
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain(says);
    expect(mock.requests.length).toBe(before);
  };

  test("a member named twice (JSON.parse keeps the last; other parsers the first, or either case) is refused", async () => {
    const key = await newKey({ models: ["mini"] });
    for (const body of ['{"model":"gpt-4o","model":"gpt-4o-mini","messages":[]}', '{"MODEL":"gpt-4o","model":"gpt-4o-mini","messages":[]}', '{"model":"gpt-4o-mini","messages":[],"mod\\u0065l":"gpt-4o-mini"}']) {
      await refused(await post("/openai/v1/chat/completions", key, body), mock.requests.length, "twice");
    }
    expect((await post("/openai/v1/chat/completions", key, '{"model":"gpt-4o-mini","messages":[]}')).status).toBe(200);
  });

  test("a model named in another case is the model named (some parsers match names without regard to case)", async () => {
    const key = await newKey({ models: ["mini"] });
    const before = mock.requests.length;
    expect((await post("/openai/v1/assistants", key, '{"Model":"gpt-4o","instructions":"x"}')).status).toBe(403);
    expect((await post("/openai/v1/chat/completions", key, '{"MODEL":"gpt-4o","messages":[]}')).status).toBe(403);
    expect(mock.requests.length).toBe(before);
    expect((await post("/openai/v1/chat/completions", key, '{"Model":"gpt-4o-mini","messages":[]}')).status).toBe(200);
  });

  test("a JSON object sent under another content-type is read as JSON (its model checked)", async () => {
    const key = await newKey({ models: ["mini"] });
    const before = mock.requests.length;
    const response = await post("/openai/v1/assistants", key, ' \n{"model":"gpt-4o","instructions":"x"}', { "content-type": "text/plain" });
    expect(response.status).toBe(403);
    expect(mock.requests.length).toBe(before);
  });

  test("JSON in UTF-16 (which some parsers detect and read) is refused", async () => {
    const key = await newKey({ models: ["mini"] });
    const utf16be = Buffer.from(Buffer.from('{"model":"gpt-4o","prompt":"x"}', "utf16le").swap16());
    for (const [type, bytes] of [["application/json", utf16be], ["", utf16be]] as const) {
      const before = mock.requests.length;
      const response = await fetch(`${gateway.origin}/openai/v1/assistants`, { method: "POST", headers: { authorization: `Bearer ${key}`, ...(type ? { "content-type": type } : {}) }, body: bytes });
      await refused(response, before, "UTF-8");
    }
  });

  test("a compressed body (which the gateway cannot read, and an upstream may inflate) is refused", async () => {
    const key = await newKey({ models: ["mini"] });
    const before = mock.requests.length;
    const gzipped = Bun.gzipSync(Buffer.from('{"model":"gpt-4o","instructions":"x"}'));
    const response = await fetch(`${gateway.origin}/openai/v1/assistants`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/octet-stream", "content-encoding": "gzip" }, body: gzipped });
    await refused(response, before, "content-encoding");
  });

  test("a form naming its model twice, or as a file, is refused", async () => {
    const key = await newKey({ models: ["openai/*"] });
    const twice = new FormData();
    twice.append("model", "gpt-4o-mini-transcribe");
    twice.append("model", "gpt-4o-transcribe");
    twice.append("file", new Blob(["RIFF"]), "a.wav");
    const asFile = new FormData();
    asFile.append("model", new Blob(["gpt-4o-transcribe"]), "model");
    asFile.append("file", new Blob(["RIFF"]), "a.wav");
    for (const form of [twice, asFile]) {
      const before = mock.requests.length;
      await refused(await fetch(`${gateway.origin}/openai/v1/audio/transcriptions`, { method: "POST", headers: { authorization: `Bearer ${key}` }, body: form }), before, "model");
    }
  });
});

describe("strict budgets reserve for input a native body only points to", () => {
  const gemini = (key: string, body: Record<string, unknown>) =>
    fetch(`${gateway.origin}/gemini/v1beta/models/gemini-2.0-flash:generateContent`, { method: "POST", headers: { "x-goog-api-key": key, "content-type": "application/json" }, body: JSON.stringify(body) });
  const contents = [{ role: "user", parts: [{ text: "Summarise it." }] }];

  test("Gemini: cached contents, files by URI and fetching tools are bounded only by the context window; each candidate's output is reserved", async () => {
    // $0.01 covers a short prompt and 1,000 output tokens at $2 per million, not a context window of input at $1 per million.
    const key = await newKey({ max_budget: 0.01 });
    const small = { contents, generationConfig: { maxOutputTokens: 1000 } };
    expect((await gemini(key, small)).status).toBe(200);
    for (const body of [
      { ...small, cachedContent: "cachedContents/abc123" },
      { ...small, contents: [{ role: "user", parts: [{ text: "Summarise it." }, { fileData: { mimeType: "video/mp4", fileUri: "https://generativelanguage.googleapis.com/v1beta/files/f1" } }] }] },
      { ...small, tools: [{ urlContext: {} }] },
      { contents, generationConfig: { maxOutputTokens: 1000, candidateCount: 8 } },
      // Google reads snake_case too: the larger cap is reserved for.
      { contents, generationConfig: { maxOutputTokens: 1000, max_output_tokens: 100_000 } },
      { contents, generationConfig: { maxOutputTokens: 1000 }, generation_config: { candidate_count: 8 } },
    ]) {
      const before = mock.requests.length;
      const response = await gemini(key, body);
      expect(`${JSON.stringify(body).slice(0, 90)} -> ${response.status}`).toMatch(/ -> 400$/);
      expect(mock.requests.length).toBe(before);
    }
  });

  test("OpenAI's Responses API: an earlier response, a conversation, a stored prompt and file search are bounded only by the context window", async () => {
    const key = await newKey({ max_budget: 0.01 });
    const small = { model: "gpt-4o-mini", input: "Go on.", max_output_tokens: 1000 };
    expect((await post("/openai/v1/responses", key, JSON.stringify(small))).status).toBe(200);
    for (const extra of [{ previous_response_id: "resp_1" }, { conversation: "conv_1" }, { prompt: { id: "pmpt_1" } }, { tools: [{ type: "file_search", vector_store_ids: ["vs_1"] }] }]) {
      const before = mock.requests.length;
      const response = await post("/openai/v1/responses", key, JSON.stringify({ ...small, ...extra }));
      expect(`${Object.keys(extra)[0]} -> ${response.status}`).toBe(`${Object.keys(extra)[0]} -> 400`);
      expect(mock.requests.length).toBe(before);
    }
  });
});

describe("a Responses call run in the background", () => {
  test("is not priced (its answer comes later, elsewhere): refused to a budgeted key, of unknown cost for others", async () => {
    const body = JSON.stringify({ model: "gpt-4o-mini", input: "Write a long essay.", background: true });
    const budgeted = await newKey({ max_budget: 1 });
    const before = mock.requests.length;
    expect((await post("/openai/v1/responses", budgeted, body)).status).toBe(400);
    expect(mock.requests.length).toBe(before);
    const open = await newKey({});
    const count = gateway.records.length;
    const answer = await post("/openai/v1/responses", open, body);
    expect(answer.status).toBe(200);
    await answer.text();
    const row = (await recordsSettled(gateway, count + 1)).at(-1);
    expect(row).toMatchObject({ model: "mini", upstreamModel: "gpt-4o-mini" });
    expect(row?.costNano).toBeUndefined();
  });
});

describe("a stream that would not report its usage", () => {
  const chat = (extra: Record<string, unknown>) => JSON.stringify({ model: "gpt-4o-mini", max_tokens: 100, stream: true, messages: [{ role: "user", content: "写一首诗" }], ...extra });

  test("is refused to a budgeted key (its cost would be a guess from the text: a quarter of it for Chinese), and says what to set", async () => {
    const key = await newKey({ max_budget: 1 });
    const before = mock.requests.length;
    const refused = await post("/openai/v1/chat/completions", key, chat({}));
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain("stream_options");
    expect(mock.requests.length).toBe(before);
    const asked = await post("/openai/v1/chat/completions", key, chat({ stream_options: { include_usage: true } }));
    expect(asked.status).toBe(200);
    await asked.text();
  });

  test("passes for a key without a budget (billed from estimates, marked so), and on Mistral, whose streams always end with usage", async () => {
    const open = await newKey({});
    const answer = await post("/openai/v1/chat/completions", open, chat({}));
    expect(answer.status).toBe(200);
    await answer.text();
    const budgeted = await newKey({ max_budget: 1 });
    const mistral = await post("/mistral/v1/chat/completions", budgeted, chat({ model: "mistral-small" }));
    expect(mistral.status).toBe(200);
    await mistral.text();
  });
});
