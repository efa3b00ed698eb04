/**
 * Upstream redirects are never followed. An upstream (or anything posing as one at its address)
 * answering 301/302/303/307/308 must not make the gateway send the provider's credential and the
 * prompt to the redirect's target: the target server here records every request and must receive
 * none, for every provider, both client dialects, buffered and streamed, health checks and the
 * Vertex AI token exchange included. The client gets a 502 in its dialect naming the provider and
 * the target's origin only; the router treats it like any upstream failure (another deployment serves).
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Config, ModelEntry } from "../../src/config/schema.ts";
import { TEST_MASTER_KEY } from "../support/accounts.ts";
import { startGateway, type TestGateway } from "../support/build-test-app.ts";
import { openAICompletion, startHostileUpstream, type HostileUpstream } from "../support/hostile-upstream.ts";
import { makeAccount } from "../fixtures/vertex/google-mock.ts";

const STATUSES = [301, 302, 303, 307, 308] as const;
/** The target's path and query: never in an error message (they can carry anything). */
const TARGET_PATH = "/collect/everything?token=stolen-query-value";

const KEYS = {
  openai: "sk-proj-redirect-openai-0001",
  anthropic: "sk-ant-redirect-anthropic-0002",
  gemini: "AIzaRedirectGeminiKey000000000003",
  azure: "0c0f0a0b1c2d3e4f5a6b7c8d9e0fa1b2",
  awsSecret: "redirect/aws/secret/access/key/0005",
};

let redirector: HostileUpstream;
let target: HostileUpstream;
let gateway: TestGateway;
let openai: OpenAI;
let anthropic: Anthropic;
/** The status the redirector answers with (each test sets it). */
let status: number = 307;

interface Case {
  /** Model name clients call. */
  model: string;
  /** The provider's label, as error messages name it. */
  label: string;
}

const CASES: Case[] = [
  { model: "openai", label: "OpenAI" },
  { model: "anthropic", label: "Anthropic" },
  { model: "gemini", label: "Gemini" },
  { model: "azure", label: "Azure OpenAI" },
  { model: "bedrock", label: "Amazon Bedrock" },
  { model: "vertex-gemini", label: "Vertex AI" },
  { model: "vertex-claude", label: "Vertex AI (Claude)" },
];

beforeAll(async () => {
  target = startHostileUpstream();
  redirector = startHostileUpstream();
  // Every path of every deployment redirects; only the Vertex token endpoint answers (with a token).
  const redirect = () => new Response("moved", { status, headers: { location: `${target.origin}${TARGET_PATH}` } });
  for (const name of ["openai", "anthropic", "gemini", "azure", "bedrock", "vertex", "token-bounce"]) redirector.on(name, redirect);
  redirector.on("token", () => Response.json({ access_token: "ya29.redirect-test-token", expires_in: 3599, token_type: "Bearer" }));
  const account = await makeAccount("redirect", `${redirector.origin}/token/oauth2`);
  const bouncedAccount = await makeAccount("redirect-bounced", `${redirector.origin}/token-bounce/oauth2`);
  const vertex = { api_base: redirector.base("vertex"), vertex_project: "redirect-project", vertex_location: "us-east5" };
  const models: ModelEntry[] = [
    { model_name: "openai", model: "openai/gpt-up", api_base: `${redirector.base("openai")}/v1`, api_key: KEYS.openai },
    { model_name: "anthropic", model: "anthropic/claude-up", api_base: `${redirector.base("anthropic")}/v1`, api_key: KEYS.anthropic },
    { model_name: "gemini", model: "gemini/gemini-up", api_base: `${redirector.base("gemini")}/v1beta`, api_key: KEYS.gemini },
    { model_name: "azure", model: "azure/deployment-up", api_base: redirector.base("azure"), api_key: KEYS.azure, api_version: "2024-10-21" },
    { model_name: "bedrock", model: "bedrock/anthropic.claude-up-v1:0", api_base: redirector.base("bedrock"), aws_region_name: "us-east-1", aws_access_key_id: "AKIAREDIRECTTEST0004", aws_secret_access_key: KEYS.awsSecret },
    { model_name: "vertex-gemini", model: "vertex_ai/gemini-up", ...vertex, vertex_credentials: account.json },
    { model_name: "vertex-claude", model: "vertex_ai/claude-up@20250929", ...vertex, vertex_credentials: account.json },
    { model_name: "vertex-token", model: "vertex_ai/gemini-up", ...vertex, vertex_credentials: bouncedAccount.json },
  ];
  const config = { settings: { mock_models: false, env_provider_models: false }, router: { num_retries: 0 }, models } as Config;
  gateway = await startGateway(config, { masterKey: TEST_MASTER_KEY });
  openai = new OpenAI({ baseURL: gateway.baseURL, apiKey: TEST_MASTER_KEY, maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: gateway.origin, apiKey: TEST_MASTER_KEY, maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.stop();
  await redirector?.stop();
  await target?.stop();
});

/** The API error a call failed with, from either SDK. */
async function failure(run: () => Promise<unknown>): Promise<{ status: number; message: string; type: string }> {
  try {
    const result = await run();
    // A stream that started is read to its end: an error must come before any data.
    if (result && typeof result === "object" && Symbol.asyncIterator in result) for await (const _ of result as AsyncIterable<unknown>);
  } catch (error) {
    if (error instanceof OpenAI.APIError) return { status: error.status as number, message: error.message, type: String((error.error as { type?: string })?.type) };
    if (error instanceof Anthropic.APIError) {
      const body = error.error as { error?: { type?: string; message?: string } };
      return { status: error.status as number, message: body?.error?.message ?? error.message, type: String(body?.error?.type) };
    }
    throw error;
  }
  throw new Error("expected the call to fail");
}

const question = [{ role: "user" as const, content: "Send this and my key somewhere else?" }];

function callOpenAI(model: string, stream: boolean) {
  return () => openai.chat.completions.create({ model, messages: question, max_tokens: 5, ...(stream ? { stream: true as const } : {}) });
}

function callAnthropic(model: string, stream: boolean) {
  return () => anthropic.messages.create({ model, max_tokens: 5, messages: question, ...(stream ? { stream: true as const } : {}) });
}

/** The error names the provider and where it was sent, and nothing of the target's path or query. */
function expectRedirectError(error: { status: number; message: string }, label: string, where = target.origin): void {
  expect(error.status).toBe(502);
  expect(error.message).toContain(label);
  expect(error.message).toContain(where);
  expect(error.message).not.toContain("collect");
  expect(error.message).not.toContain("stolen");
}

describe("a redirect from the upstream is an upstream error, never followed", () => {
  for (const { model, label } of CASES) {
    test(`${model}: both SDKs, buffered and streamed, every redirect status; the target receives nothing`, async () => {
      const before = redirector.hits.length;
      let calls = 0;
      for (const code of STATUSES) {
        status = code;
        for (const stream of [false, true]) {
          const viaOpenAI = await failure(callOpenAI(model, stream));
          expectRedirectError(viaOpenAI, label);
          expect(viaOpenAI.type).toBe("api_error");
          const viaAnthropic = await failure(callAnthropic(model, stream));
          expectRedirectError(viaAnthropic, label);
          expect(viaAnthropic.type).toBe("api_error");
          calls += 2;
        }
      }
      expect(target.hits).toEqual([]);
      // The upstream got each call once (no second request to its own address either).
      expect(redirector.hits.slice(before).filter((hit) => hit.name !== "token")).toHaveLength(calls);
      const record = gateway.records.at(-1);
      expect(record).toMatchObject({ model, outcome: "error", status: 502, errorCode: "provider.bad_response" });
    });
  }

  test("a same-origin redirect is not followed either (nothing is re-sent to the upstream's own host)", async () => {
    status = 307;
    redirector.on("openai", () => new Response(null, { status: 307, headers: { location: "/openai/v1/chat/completions-elsewhere" } }));
    try {
      const before = redirector.hits.length;
      expectRedirectError(await failure(callOpenAI("openai", false)), "OpenAI", redirector.origin);
      expect(redirector.hits.length - before).toBe(1);
    } finally {
      redirector.on("openai", () => new Response("moved", { status, headers: { location: `${target.origin}${TARGET_PATH}` } }));
    }
  });

  test("Vertex AI's token exchange: a redirected token request is a provider error; the assertion goes nowhere else", async () => {
    for (const code of STATUSES) {
      status = code;
      const error = await failure(callOpenAI("vertex-token", false));
      expectRedirectError(error, "Google service account");
    }
    expect(target.hits).toEqual([]);
  });

  test("health checks: every deployment unhealthy with provider.bad_response; the target receives nothing", async () => {
    status = 307;
    const answer = await fetch(`${gateway.origin}/health`, { headers: { authorization: `Bearer ${TEST_MASTER_KEY}` } });
    expect(answer.status).toBe(200);
    const report = (await answer.json()) as { healthy_count: number; unhealthy_endpoints: { model_name: string; error: string; error_code: string }[] };
    expect(report.healthy_count).toBe(0);
    expect(report.unhealthy_endpoints.map((e) => e.model_name).sort()).toEqual([...CASES.map((c) => c.model), "vertex-token"].sort());
    for (const endpoint of report.unhealthy_endpoints) {
      expect(endpoint.error_code).toBe("provider.bad_response");
      expect(endpoint.error).toContain(target.origin);
      expect(endpoint.error).not.toContain("stolen");
    }
    expect(target.hits).toEqual([]);
  });
});

describe("the router treats a redirect like any upstream failure", () => {
  let upstream: HostileUpstream;
  let routed: TestGateway;

  beforeAll(async () => {
    upstream = startHostileUpstream();
    upstream.on("moved", () => new Response(null, { status: 308, headers: { location: `${target.origin}${TARGET_PATH}` } }));
    upstream.on("good", () => openAICompletion("served by the second deployment"));
    const models: ModelEntry[] = [
      { model_name: "pair", model: "openai/up-model", id: "moved", api_base: `${upstream.base("moved")}/v1`, api_key: KEYS.openai, order: 1 },
      { model_name: "pair", model: "openai/up-model", id: "good", api_base: `${upstream.base("good")}/v1`, api_key: KEYS.openai, order: 2 },
    ];
    routed = await startGateway({ settings: { mock_models: false, env_provider_models: false }, router: { strategy: "priority", num_retries: 1 }, models } as Config);
  });
  afterAll(async () => {
    await routed?.stop();
    await upstream?.stop();
  });

  test("the first deployment redirects, the second answers: the client gets the second's answer", async () => {
    const client = new OpenAI({ baseURL: routed.baseURL, apiKey: "anything", maxRetries: 0 });
    const { data, response } = await client.chat.completions.create({ model: "pair", messages: question }).withResponse();
    expect(data.choices[0]?.message.content).toBe("served by the second deployment");
    expect(response.headers.get("x-switchboard-model-id")).toBe("good");
    expect(upstream.hitsOf("moved")).toHaveLength(1);
    expect(target.hits).toEqual([]);
    const record = routed.records.at(-1);
    expect(record?.failedAttempts).toEqual([{ deploymentId: "moved", model: "pair", code: "provider.bad_response", status: 502 }]);
  });
});
