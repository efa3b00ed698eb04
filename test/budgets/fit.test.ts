/**
 * Strict budgets admit the calls a budget can pay for, through the official SDKs. Seen before: a key
 * at $8.40 of $20 was refused ("Budget has been exceeded!") because the reservation counted every
 * character of the JSON body as an input token, and a suite with a budget worth ten calls had every
 * call refused. The upstream here reports usage as OpenAI counts it (o200k tokens of the text, 3 per
 * message, 3 to prime the reply, 765 per image), so spend is what OpenAI would bill.
 */
import Anthropic, { BadRequestError as AnthropicBadRequestError } from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import OpenAI, { APIError } from "openai";
import type { ChatCompletionCreateParamsNonStreaming, ChatCompletionMessageParam } from "openai/resources/chat/completions";
import { dirname, join } from "node:path";
import { newVirtualKey } from "../../src/auth/key-material.ts";
import type { Config } from "../../src/config/schema.ts";
import { openStore } from "../../src/store/open.ts";
import type { SpendRow } from "../../src/store/types.ts";
import { startAccountsGateway, type AccountsGateway } from "../support/accounts.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-budget-fit-");
const COMPLETION_TOKENS = 20;
const IMAGE_TOKENS = 765; // gpt-4o, high detail, a 1024x768 photo: 85 + 4 tiles x 170

/** Prompt tokens as OpenAI counts a chat request: its text, 3 per message, 3 for the reply, tools as their JSON. */
function openAIPromptTokens(body: { messages: ChatCompletionMessageParam[]; tools?: unknown[] }): number {
  let tokens = 3;
  for (const message of body.messages) {
    tokens += 3;
    const content = message.content;
    if (typeof content === "string") tokens += countTokens(content);
    else if (Array.isArray(content)) for (const part of content) tokens += part.type === "text" ? countTokens(part.text) : part.type === "image_url" ? IMAGE_TOKENS : 0;
  }
  if (body.tools) tokens += countTokens(JSON.stringify(body.tools));
  return tokens;
}

let upstream: ReturnType<typeof Bun.serve>;
let upstreamUrl: string;
beforeAll(() => {
  upstream = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const body = (await request.json()) as { model: string; messages: ChatCompletionMessageParam[]; tools?: unknown[]; max_tokens?: number; max_completion_tokens?: number };
      const prompt = openAIPromptTokens(body);
      const completion = Math.min(COMPLETION_TOKENS, body.max_completion_tokens ?? body.max_tokens ?? COMPLETION_TOKENS);
      return Response.json({
        id: "chatcmpl-fit",
        object: "chat.completion",
        created: 1,
        model: body.model,
        choices: [{ index: 0, message: { role: "assistant", content: "An answer.", refusal: null }, logprobs: null, finish_reason: "stop" }],
        usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, prompt_tokens_details: { cached_tokens: 0 } },
      });
    },
  });
  upstreamUrl = `http://127.0.0.1:${upstream.port}/v1`;
});
afterAll(async () => {
  await upstream?.stop(true);
});

const config = (): Config => ({
  models: [
    { model_name: "gpt-4o", model: "openai/gpt-4o-2024-08-06", api_base: upstreamUrl, api_key: "sk-upstream-fit" },
    // o1-pro-class prices ($150 / $600 per million), where a long prompt is real money.
    { model_name: "premium", model: "openai/o1", api_base: upstreamUrl, api_key: "sk-upstream-fit", price: { input: 150, output: 600 } },
    { model_name: "claude", model: "anthropic/claude-opus-4-1", api_base: "http://127.0.0.1:9/v1", api_key: "sk-ant-unused" },
  ],
});

interface Setup {
  gateway: AccountsGateway;
  key: string;
  token: string;
}

let keys = 0;
/** A gateway over a fresh store with one key whose budget is `budgetNano`, `spentNano` of it already spent. */
async function setUp(budgetNano: number, spentNano = 0): Promise<Setup> {
  const dataDir = join(dirname(await tmp.file("marker", "")), `fit-${++keys}`);
  const store = await openStore({ dataDir });
  const { key, token, keyName } = newVirtualKey();
  await store.keys.insert({ token, keyName, maxBudgetNano: budgetNano });
  if (spentNano > 0) await store.spend.append([earlierSpend(token, spentNano)]);
  await store.close();
  return { gateway: await startAccountsGateway(config(), { dataDir }), key, token };
}

const earlierSpend = (token: string, costNano: number): SpendRow => ({
  callId: `earlier-${token.slice(0, 8)}`,
  token,
  operation: "chat",
  modelRequested: "gpt-4o",
  inputTokens: 1,
  outputTokens: 1,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  costNano,
  status: 200,
  outcome: "ok",
  startedAt: Date.now() - 60_000,
  endedAt: Date.now() - 59_000,
  stream: false,
  tags: [],
  windows: { key: 0 },
});

/** Deterministic English-like prose of about `bytes` bytes. */
function prose(bytes: number): string {
  const words = "the budget of a team covers every call its keys make and the gateway reserves what a call may cost before it goes upstream so that many calls at once never spend more than was allowed".split(" ");
  let text = "";
  let seed = 7;
  for (let i = 0; text.length < bytes; i++) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    text += words[seed % words.length] + (i % 14 === 13 ? ". " : " ");
  }
  return text;
}

const spentNano = async (setup: Setup): Promise<number> => {
  await setup.gateway.accounts.accounting.writer.flush();
  return (await setup.gateway.accounts.store.keys.byToken(setup.token))?.spend.totalNano ?? -1;
};

// First in the file: the tokenizer is not loaded yet, so all 50 calls wait for it together.
describe("the guarantee holds on the refined path", () => {
  test("50 calls at once whose cheap bound exceeds the whole budget: refined ones fit, spend never passes the budget", async () => {
    const request: ChatCompletionCreateParamsNonStreaming = { model: "premium", max_tokens: 100, messages: [{ role: "user", content: `Summarise:\n${prose(20_000)}` }] };
    const worth = openAIPromptTokens(request) * 150_000 + 100 * 600_000;
    // Three calls' worth: the cheap bound (20 KB at $150/M = $3) fits none, the tokenizer's count fits some.
    const budget = 3 * worth;
    expect(20_000 * 150_000).toBeGreaterThan(budget);
    const setup = await setUp(budget);
    try {
      const client = new OpenAI({ baseURL: setup.gateway.baseURL, apiKey: setup.key, maxRetries: 0 });
      const results = await Promise.allSettled(Array.from({ length: 50 }, () => client.chat.completions.create(request)));
      const refused = results.flatMap((r) => (r.status === "rejected" ? [r.reason as APIError] : []));
      for (const error of refused) {
        expect({ status: error.status, type: error.type }).toEqual({ status: 400, type: "budget_exceeded" });
        expect(error.message).toMatch(/^400 (?:Budget has been exceeded! |This request may cost up to \$)/);
      }
      expect(50 - refused.length).toBeGreaterThanOrEqual(2);
      expect(await spentNano(setup)).toBeLessThanOrEqual(budget);
    } finally {
      await setup.gateway.stop();
    }
  }, 30_000);
});

describe("a key at $8.40 of $20", () => {
  test("realistic requests it can pay for are admitted: a 20k-token document at $150/M tokens, then a phone photo", async () => {
    const setup = await setUp(20_000_000_000, 8_400_000_000);
    try {
      const client = new OpenAI({ baseURL: setup.gateway.baseURL, apiKey: setup.key, maxRetries: 0 });
      // ~90 KB of prose is ~20k tokens ($3 at $150/M); its bytes would be $13.5, more than the $11.60 left.
      const document: ChatCompletionCreateParamsNonStreaming = {
        model: "premium",
        max_tokens: 1_000,
        messages: [
          { role: "system", content: "You summarise documents for a finance team. Answer in five bullet points." },
          { role: "user", content: `Summarise this report:\n\n${prose(90_000)}` },
        ],
      };
      const summary = await client.chat.completions.create(document);
      expect(summary.choices[0]?.message.content).toBe("An answer.");
      const afterDocument = await spentNano(setup);
      const documentCost = openAIPromptTokens(document) * 150_000 + COMPLETION_TOKENS * 600_000;
      expect(afterDocument).toBe(8_400_000_000 + documentCost);

      // A 3.5 MB JPEG from a phone is 4.7 MB of base64: as characters at $2.50/M that was $11.75.
      const photo = `data:image/jpeg;base64,${"/9j/4AAQSkZJRgABAQ".padEnd(4_700_000, "A")}`;
      const answer = await client.chat.completions.create({
        model: "gpt-4o",
        max_tokens: 300,
        messages: [{ role: "user", content: [{ type: "text", text: "What is in this photo?" }, { type: "image_url", image_url: { url: photo } }] }],
      });
      expect(answer.choices[0]?.message.content).toBe("An answer.");
      expect(await spentNano(setup)).toBeLessThanOrEqual(20_000_000_000);
    } finally {
      await setup.gateway.stop();
    }
  }, 30_000);
});

describe("several answers (OpenAI's n)", () => {
  test("each answer is reserved its own output: n=5 does not fit where n=1 does, and the refusal says so", async () => {
    // premium: $600 per million output tokens, so 1,000 output tokens are $0.60 an answer.
    const setup = await setUp(1_000_000_000);
    try {
      const client = new OpenAI({ baseURL: setup.gateway.baseURL, apiKey: setup.key, maxRetries: 0 });
      const request: ChatCompletionCreateParamsNonStreaming = { model: "premium", max_tokens: 1_000, messages: [{ role: "user", content: "Name a colour." }] };
      const error = await client.chat.completions.create({ ...request, n: 5 }).then(
        () => undefined,
        (caught: unknown) => caught as APIError,
      );
      expect({ status: error?.status, type: error?.type }).toEqual({ status: 400, type: "budget_exceeded" });
      expect(error?.message).toContain("for each of n=5 answers");
      expect(error?.message).toContain("ask for fewer answers (n)");
      expect(error?.message).not.toContain("exceed");
      expect((await client.chat.completions.create(request)).choices[0]?.message.content).toBe("An answer.");
    } finally {
      await setup.gateway.stop();
    }
  });
});

describe("a budget worth ten calls", () => {
  test("admits ten sequential calls of a realistic suite request", async () => {
    const request: ChatCompletionCreateParamsNonStreaming = {
      model: "gpt-4o",
      max_tokens: 64,
      messages: [
        { role: "system", content: `You are the support assistant of an online shop. ${prose(1_500)}` },
        { role: "user", content: "Where is my order 4711? It was due on Monday and the tracking page has not changed since." },
      ],
      tools: [
        {
          type: "function",
          function: {
            name: "lookup_order",
            description: "Finds an order by its number and returns its status, items and tracking events.",
            parameters: { type: "object", properties: { order_id: { type: "string", description: "The order number, digits only." } }, required: ["order_id"], additionalProperties: false },
          },
        },
        {
          type: "function",
          function: {
            name: "open_ticket",
            description: "Opens a support ticket for a human agent.",
            parameters: {
              type: "object",
              properties: { order_id: { type: "string" }, reason: { type: "string", enum: ["late", "damaged", "missing", "other"] }, note: { type: "string", description: "What the customer said." } },
              required: ["order_id", "reason"],
            },
          },
        },
      ],
    };
    // Worth one call: its prompt as OpenAI counts it and its whole max_tokens, at gpt-4o's $2.50 / $10 per million.
    const worth = openAIPromptTokens(request as { messages: ChatCompletionMessageParam[]; tools: unknown[] }) * 2_500 + 64 * 10_000;
    const setup = await setUp(10 * worth);
    try {
      const client = new OpenAI({ baseURL: setup.gateway.baseURL, apiKey: setup.key, maxRetries: 0 });
      let admitted = 0;
      for (let call = 0; call < 10; call++) {
        await client.chat.completions.create(request);
        admitted++;
      }
      expect(admitted).toBe(10);
      expect(await spentNano(setup)).toBeLessThanOrEqual(10 * worth);
    } finally {
      await setup.gateway.stop();
    }
  }, 30_000);
});

describe("refusal wording through the official SDKs", () => {
  let fresh: Setup;
  let spent: Setup;
  beforeAll(async () => {
    fresh = await setUp(50_000_000);
    spent = await setUp(50_000_000, 50_000_000);
  });
  afterAll(async () => {
    await fresh?.gateway.stop();
    await spent?.gateway.stop();
  });

  const openAIError = async (setup: Setup): Promise<APIError> => {
    const client = new OpenAI({ baseURL: setup.gateway.baseURL, apiKey: setup.key, maxRetries: 0 });
    const error = await client.chat.completions.create({ model: "gpt-4o", max_tokens: 16_000, messages: [{ role: "user", content: "Write a long story." }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    return error as APIError;
  };
  const anthropicError = async (setup: Setup): Promise<AnthropicBadRequestError> => {
    const client = new Anthropic({ baseURL: setup.gateway.origin, apiKey: setup.key, maxRetries: 0 });
    const error = await client.messages.create({ model: "claude", max_tokens: 20_000, messages: [{ role: "user", content: "Write a long story." }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AnthropicBadRequestError);
    return error as AnthropicBadRequestError;
  };

  test("OpenAI SDK, spend under the budget but the call does not fit: what it may cost, what is left, what to change", async () => {
    const error = await openAIError(fresh);
    expect({ status: error.status, type: error.type, code: error.code }).toEqual({ status: 400, type: "budget_exceeded", code: "400" });
    expect(error.message).not.toMatch(/exceed/i);
    // 16,000 output tokens at $10/M alone are $0.16.
    expect(error.message).toMatch(/^400 This request may cost up to \$0\.16\d* \(gpt-4o-2024-08-06: a prompt of at most \d+ tokens and max_tokens 16000\), more than is left of this key's budget: \$0\.05 of \$0\.05 \(\$0 spent\)\. To make it fit, lower max_tokens, shorten the prompt or raise max_budget\.$/);
  });

  test("OpenAI SDK, spend at the budget: LiteLLM's words", async () => {
    const error = await openAIError(spent);
    expect({ status: error.status, type: error.type, code: error.code }).toEqual({ status: 400, type: "budget_exceeded", code: "400" });
    expect(error.message).toBe("400 Budget has been exceeded! Current cost: 0.05, Max budget: 0.05");
  });

  test("Anthropic SDK, spend under the budget but the call does not fit: the same words in Anthropic's error shape", async () => {
    const error = await anthropicError(fresh);
    expect(error.status).toBe(400);
    const body = error.error as { type: string; error: { type: string; message: string } };
    expect(body.type).toBe("error");
    expect(body.error.type).toBe("invalid_request_error");
    expect(body.error.message).not.toMatch(/exceed/i);
    // 20,000 output tokens at Opus 4.1's $75/M alone are $1.50.
    expect(body.error.message).toMatch(/^This request may cost up to \$1\.5\d+ \(claude-opus-4-1: a prompt of at most \d+ tokens and max_tokens 20000\), more than is left of this key's budget: \$0\.05 of \$0\.05 \(\$0 spent\)\. To make it fit, lower max_tokens, shorten the prompt or raise max_budget\.$/);
  });

  test("Anthropic SDK, spend at the budget: LiteLLM's words", async () => {
    const error = await anthropicError(spent);
    expect(error.status).toBe(400);
    expect((error.error as { error: { message: string } }).error.message).toBe("Budget has been exceeded! Current cost: 0.05, Max budget: 0.05");
  });
});
