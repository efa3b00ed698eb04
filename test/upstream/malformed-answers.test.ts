/**
 * Malformed upstream answers are upstream failures, not 200s booked `ok`: a JSON body to a stream
 * request, an empty or non-JSON buffered body, a stream with no valid first event. The client gets a
 * 502 in its dialect (an upstream JSON error sent with 200 surfaces its redacted message), the call
 * record says error, and before the first byte the router tries the group's next deployment like
 * after any upstream failure. Both official SDKs, on the same-format path, buffered and streamed.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Config, ModelEntry } from "../../src/config/schema.ts";
import { startGateway, type TestGateway } from "../support/build-test-app.ts";
import {
  anthropicMessage,
  anthropicStreamFrames,
  openAICompletion,
  openAIStreamFrames,
  sseAnswer,
  startHostileUpstream,
  type Answer,
  type HostileUpstream,
} from "../support/hostile-upstream.ts";

type Wire = "openai" | "anthropic";
const KEY = "malformed-test-deployment-credential-9";

/** How a deployment answers: `buffered` for non-stream requests, `stream` for stream requests. */
interface Behaviour {
  buffered?: () => Response;
  stream?: () => Response;
}

const text = (body: string, contentType: string) => () => new Response(body, { headers: { "content-type": contentType } });

/** Malformed answers in each wire; what is not malformed for one request kind is absent. */
const MALFORMED: Record<Wire, Record<string, Behaviour>> = {
  openai: {
    "json-for-stream": { stream: () => openAICompletion("a buffered answer to a stream request") },
    empty: { buffered: text("", "application/json"), stream: text("", "text/event-stream") },
    garbage: { buffered: text("<html><body>502 Bad Gateway</body></html>", "text/html"), stream: text("this is not an event stream\nat all\n", "text/event-stream") },
    "not-json": { buffered: text('{"id": not json at all}', "application/json"), stream: () => sseAnswer(["data: hello there\n\n", "data: [DONE]\n\n"]) },
    truncated: { buffered: text('{"id":"chatcmpl-x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Hel', "application/json") },
    "json-array": { buffered: text("[]", "application/json") },
    "unterminated-event": { stream: text('data: {"id":"chatcmpl-x","choices":[{"index":0,"delta":{"content":"Hel', "text/event-stream") },
  },
  anthropic: {
    "json-for-stream": { stream: () => anthropicMessage("a buffered answer to a stream request") },
    empty: { buffered: text("", "application/json"), stream: text("", "text/event-stream") },
    garbage: { buffered: text("<html><body>502 Bad Gateway</body></html>", "text/html"), stream: text("this is not an event stream\nat all\n", "text/event-stream") },
    "not-json": { buffered: text("upstream says no", "application/json"), stream: () => sseAnswer(["event: message_start\ndata: {not json\n\n"]) },
    truncated: { buffered: text('{"id":"msg_x","type":"message","content":[{"type":"text","text":"Hel', "application/json") },
    "json-array": { buffered: text("[1,2,3]", "application/json") },
  },
};

/** An upstream error body sent with 200 (to a buffered and to a stream request). */
const ERROR_200: Record<Wire, () => Response> = {
  openai: () => Response.json({ error: { message: `The server had an error while processing the request for ${KEY}.`, type: "server_error", param: null, code: null } }),
  anthropic: () => Response.json({ type: "error", error: { type: "api_error", message: `Internal server error for ${KEY}.` } }),
};

const GOOD: Record<Wire, Behaviour> = {
  openai: { buffered: () => openAICompletion("the second deployment answered"), stream: () => sseAnswer(openAIStreamFrames(["the second", " deployment", " answered"])) },
  anthropic: { buffered: () => anthropicMessage("the second deployment answered"), stream: () => sseAnswer(anthropicStreamFrames(["the second", " deployment", " answered"])) },
};

let upstream: HostileUpstream;
let gateway: TestGateway;
let openai: OpenAI;
let anthropic: Anthropic;

const serve = (behaviour: Behaviour): Answer => (_request, body) => {
  const answer = JSON.parse(body).stream === true ? behaviour.stream : behaviour.buffered;
  return answer ? answer() : Response.json({ error: { message: "not scripted" } }, { status: 418 });
};

function deployment(wire: Wire, group: string, name: string): ModelEntry {
  const model = wire === "openai" ? "openai/up-model" : "anthropic/claude-up";
  return { model_name: group, id: name, model, api_base: `${upstream.base(name)}/v1`, api_key: KEY, order: name.endsWith("-good") ? 2 : 1 };
}

beforeAll(async () => {
  upstream = startHostileUpstream();
  const models: ModelEntry[] = [];
  for (const wire of ["openai", "anthropic"] as const) {
    upstream.on(`${wire}-good`, serve(GOOD[wire]));
    upstream.on(`${wire}-error-200`, serve({ buffered: ERROR_200[wire], stream: ERROR_200[wire] }));
    models.push(deployment(wire, `${wire}/error-200`, `${wire}-error-200`));
    for (const [name, behaviour] of Object.entries(MALFORMED[wire])) {
      upstream.on(`${wire}-${name}`, serve(behaviour));
      models.push(deployment(wire, `${wire}/${name}`, `${wire}-${name}`));
      // The same malformed deployment first in a group, a good one second.
      models.push({ ...deployment(wire, `pair/${wire}/${name}`, `${wire}-${name}`), id: `pair-${wire}-${name}` });
      models.push({ ...deployment(wire, `pair/${wire}/${name}`, `${wire}-good`), id: `pair-${wire}-${name}-good` });
    }
  }
  // Embeddings (forwarded as received) and token counts: an empty 200, alone and first in a group.
  upstream.on("embed-empty", text("", "application/json"));
  upstream.on("embed-good", () => Response.json({ object: "list", data: [{ object: "embedding", index: 0, embedding: [0.5, 0.5] }], model: "up-embed", usage: { prompt_tokens: 1, total_tokens: 1 } }));
  models.push({ model_name: "embed/empty", id: "embed-empty", model: "openai/up-embed", api_base: `${upstream.base("embed-empty")}/v1`, api_key: KEY });
  models.push({ model_name: "pair/embed/empty", id: "pair-embed-empty", model: "openai/up-embed", api_base: `${upstream.base("embed-empty")}/v1`, api_key: KEY, order: 1 });
  models.push({ model_name: "pair/embed/empty", id: "pair-embed-good", model: "openai/up-embed", api_base: `${upstream.base("embed-good")}/v1`, api_key: KEY, order: 2 });
  // A translated group too: an OpenAI client, Anthropic upstreams, the first answering an empty body.
  models.push({ ...deployment("anthropic", "pair/translated/empty", "anthropic-empty"), id: "translated-empty" });
  models.push({ ...deployment("anthropic", "pair/translated/empty", "anthropic-good"), id: "translated-empty-good" });
  // One attempt for a group of one (a retry of the same deployment only slows the test); pairs retry on the second.
  const groups = Object.fromEntries(models.filter((m) => !m.model_name.startsWith("pair/")).map((m) => [m.model_name, { num_retries: 0 }]));
  const config = { settings: { mock_models: false, env_provider_models: false }, router: { strategy: "priority", num_retries: 1, groups }, models } as Config;
  gateway = await startGateway(config);
  openai = new OpenAI({ baseURL: gateway.baseURL, apiKey: "anything", maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: gateway.origin, apiKey: "anything", maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.stop();
  await upstream?.stop();
});

const question = [{ role: "user" as const, content: "hello?" }];

/** Calls `model` with the SDK of `wire` and returns the answer's text (a stream read to its end). */
async function ask(wire: Wire, model: string, stream: boolean): Promise<string> {
  if (wire === "openai") {
    if (!stream) return (await openai.chat.completions.create({ model, messages: question })).choices[0]?.message.content ?? "";
    let out = "";
    for await (const chunk of await openai.chat.completions.create({ model, messages: question, stream: true })) out += chunk.choices[0]?.delta.content ?? "";
    return out;
  }
  if (!stream) {
    const message = await anthropic.messages.create({ model, max_tokens: 16, messages: question });
    return message.content.map((block) => (block.type === "text" ? block.text : "")).join("");
  }
  let out = "";
  for await (const event of await anthropic.messages.create({ model, max_tokens: 16, messages: question, stream: true })) {
    if (event.type === "content_block_delta" && event.delta.type === "text_delta") out += event.delta.text;
  }
  return out;
}

/** The SDK error a call failed with: status, error type, message. */
async function failure(wire: Wire, model: string, stream: boolean): Promise<{ status: number; type: string; message: string }> {
  try {
    await ask(wire, model, stream);
  } catch (error) {
    if (error instanceof OpenAI.APIError) return { status: error.status as number, type: String((error.error as { type?: string })?.type), message: error.message };
    if (error instanceof Anthropic.APIError) {
      const body = error.error as { error?: { type?: string; message?: string } };
      return { status: error.status as number, type: String(body?.error?.type), message: body?.error?.message ?? error.message };
    }
    throw error;
  }
  throw new Error(`expected ${model} to fail`);
}

const lastRecord = (model: string) => gateway.records.findLast((record) => record.model === model);

for (const wire of ["openai", "anthropic"] as const) {
  describe(`${wire} client, ${wire} upstream (same format)`, () => {
    for (const [name, behaviour] of Object.entries(MALFORMED[wire])) {
      for (const stream of [false, true]) {
        if (!(stream ? behaviour.stream : behaviour.buffered)) continue;
        const kind = stream ? "streamed" : "buffered";
        test(`${name} (${kind}): 502 in the client's dialect, booked as an upstream failure`, async () => {
          const error = await failure(wire, `${wire}/${name}`, stream);
          expect(error.status).toBe(502);
          expect(error.type).toBe("api_error");
          expect(error.message).toContain(wire === "openai" ? "OpenAI" : "Anthropic");
          expect(lastRecord(`${wire}/${name}`)).toMatchObject({ outcome: "error", status: 502, errorCode: "provider.bad_response" });
        });

        test(`${name} (${kind}) first in a group: the second deployment's answer reaches the client`, async () => {
          expect(await ask(wire, `pair/${wire}/${name}`, stream)).toBe("the second deployment answered");
          const record = lastRecord(`pair/${wire}/${name}`);
          expect(record).toMatchObject({ outcome: "ok", status: 200, deploymentId: `pair-${wire}-${name}-good` });
          expect(record?.failedAttempts).toEqual([{ deploymentId: `pair-${wire}-${name}`, model: `pair/${wire}/${name}`, code: "provider.bad_response", status: 502 }]);
        });
      }
    }

    for (const stream of [false, true]) {
      test(`an error body sent with 200 (${stream ? "streamed" : "buffered"}): an error with the upstream's message, redacted; not a 200`, async () => {
        const error = await failure(wire, `${wire}/error-200`, stream);
        expect(error.status).toBeGreaterThanOrEqual(500);
        expect(error.message).toContain("[redacted]");
        expect(error.message).not.toContain(KEY);
        expect(error.message).toMatch(wire === "openai" ? /had an error while processing/ : /Internal server error/);
        expect(lastRecord(`${wire}/error-200`)).toMatchObject({ outcome: "error" });
      });
    }
  });
}

describe("embeddings and token counts (forwarded as received)", () => {
  test("an empty embeddings body: 502, booked as a failure; first in a group, the second serves", async () => {
    const error = await openai.embeddings.create({ model: "embed/empty", input: "hi" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect(lastRecord("embed/empty")).toMatchObject({ outcome: "error", status: 502, errorCode: "provider.bad_response" });
    const answer = await openai.embeddings.create({ model: "pair/embed/empty", input: "hi", encoding_format: "float" });
    expect(answer.data[0]?.embedding).toEqual([0.5, 0.5]);
    expect(lastRecord("pair/embed/empty")?.failedAttempts).toEqual([{ deploymentId: "pair-embed-empty", model: "pair/embed/empty", code: "provider.bad_response", status: 502 }]);
  });

  test("an empty token count body: 502 in Anthropic's shape, booked as a failure", async () => {
    const error = await anthropic.messages.countTokens({ model: "anthropic/empty", messages: question }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(502);
    expect(lastRecord("anthropic/empty")).toMatchObject({ operation: "count_tokens", outcome: "error", status: 502, errorCode: "provider.bad_response" });
  });
});

describe("translated path", () => {
  test("OpenAI client, Anthropic group whose first deployment answers an empty body: the second serves", async () => {
    expect(await ask("openai", "pair/translated/empty", false)).toBe("the second deployment answered");
    expect(lastRecord("pair/translated/empty")?.failedAttempts).toEqual([{ deploymentId: "translated-empty", model: "pair/translated/empty", code: "provider.bad_response", status: 502 }]);
  });

  test("Anthropic client, OpenAI upstream answering JSON to a stream request: 502", async () => {
    const error = await failure("anthropic", "openai/json-for-stream", true);
    expect(error.status).toBe(502);
  });
});
