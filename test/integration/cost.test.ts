import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { startGateway, type TestGateway } from "../support/build-test-app.ts";
import { startMockUpstream, type MockUpstream } from "../support/mock-upstream.ts";

// gpt-4o list prices: $2.50 / $1.25 cached / $10 per million tokens = 2,500 / 1,250 / 10,000 nano-dollars per token.
// The mock's `ok` usage: 19 prompt tokens of which 12 cached, 5 completion tokens.
const EXPECTED_NANO = 7 * 2_500 + 12 * 1_250 + 5 * 10_000;

let upstream: MockUpstream;
let gateway: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  upstream = await startMockUpstream();
  gateway = await startGateway({
    models: [
      { model_name: "priced", model: "openai/gpt-4o-2024-08-06", api_base: upstream.url, api_key: "sk-upstream-cost-test" },
      { model_name: "unpriced", model: "openai/ok", api_base: upstream.url, api_key: "sk-upstream-cost-test" },
    ],
  });
  client = new OpenAI({ baseURL: gateway.baseURL, apiKey: "x", maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.stop();
  await upstream?.stop();
});

const messages = [{ role: "user" as const, content: "price me" }];

describe("response cost", () => {
  test("a priced buffered answer carries x-switchboard-response-cost in exact dollars, and the call record the same in nano-dollars", async () => {
    const { response } = await client.chat.completions.create({ model: "priced", messages }).withResponse();
    expect(EXPECTED_NANO).toBe(82_500);
    expect(response.headers.get("x-switchboard-response-cost")).toBe("0.0000825");
    expect(gateway.records.at(-1)).toMatchObject({ model: "priced", costNano: EXPECTED_NANO, usage: { input: 19, output: 5, cacheRead: 12 } });
  });

  test("a stream is priced in its call record once usage arrives (headers left before it)", async () => {
    const stream = await client.chat.completions.create({ model: "priced", messages, stream: true });
    for await (const _ of stream) void _;
    for (let i = 0; i < 20 && gateway.records.at(-1)?.stream !== true; i++) await Bun.sleep(10);
    expect(gateway.records.at(-1)).toMatchObject({ model: "priced", stream: true, costNano: EXPECTED_NANO });
  });

  test("a model without a price gets no header and no cost, rather than a guess", async () => {
    const { response } = await client.chat.completions.create({ model: "unpriced", messages }).withResponse();
    expect(response.headers.get("x-switchboard-response-cost")).toBeNull();
    expect(gateway.records.at(-1)?.costNano).toBeUndefined();
  });
});
