/**
 * Models managed at run time (`/model/new`, `/model/update`, `PATCH /model/{id}/update`,
 * `/model/delete`, `/model/info`) through real HTTP: a model added is served to the official
 * `openai` SDK at once, without a restart; changed and deleted ones likewise; the config file's
 * models stay read-only; secrets never come back.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { dirname, join } from "node:path";
import OpenAI, { APIError } from "openai";
import type { ModelInfoJson, StoredModelJson } from "../../src/admin/model-schemas.ts";
import type { GeneratedKeyJson } from "../../src/admin/responses.ts";
import type { Config } from "../../src/config/schema.ts";
import { startAccountsGateway, TEST_MASTER_KEY as MASTER, type AccountsGateway, type ErrorBody } from "../support/accounts.ts";
import { startMockUpstream, type MockUpstream } from "../support/mock-upstream.ts";
import { useTempDir } from "../support/temp-dir.ts";

const ENCRYPTION_KEY = "Qm4Tz8Kp1Wx6Rv3Ny9Bc2Lf5Hs7Jd0Ga-model-secrets";
const LITERAL_KEY = "sk-literal-upstream-Hq83kD9x";
const REFERENCED_KEY = "sk-referenced-upstream-Pz71mB2v";

const tmp = useTempDir("switchboard-admin-models-");
let upstream: MockUpstream;
let gateway: AccountsGateway;
let dataDir: string;
let config: Config;
const env = { SWITCHBOARD_ENCRYPTION_KEY: ENCRYPTION_KEY, UPSTREAM_KEY: REFERENCED_KEY };

beforeAll(async () => {
  upstream = await startMockUpstream();
  dataDir = dirname(await tmp.file("marker", ""));
  config = {
    models: [{ model_name: "from-config", model: "openai/ok", id: "config-ok", api_base: upstream.url, api_key: "sk-config-upstream" }],
    settings: { mock_models: false },
  };
  gateway = await startAccountsGateway(config, { dataDir, env });
});
afterAll(async () => {
  await gateway?.stop();
  await upstream?.stop();
});

const client = (key = MASTER) => new OpenAI({ apiKey: key, baseURL: gateway.baseURL, maxRetries: 0 });

const chat = (model: string, key?: string) => client(key).chat.completions.create({ model, messages: [{ role: "user", content: "hi" }] });

const addModel = async (body: Record<string, unknown>) => {
  const answer = await gateway.admin<StoredModelJson>("POST", "/model/new", body);
  expect(answer.status).toBe(200);
  return answer.body;
};

const modelInfo = async (key?: string, query = "") => {
  const answer = await gateway.admin<ModelInfoJson>("GET", `/model/info${query}`, undefined, key);
  expect(answer.status).toBe(200);
  return answer.body.data;
};

describe("POST /model/new", () => {
  test("a model with a referenced key is served to the openai SDK at once; its answer and /model/info hold no key", async () => {
    const added = await addModel({
      model_name: "runtime-ref",
      litellm_params: { model: "openai/ok", api_base: upstream.url, api_key: "os.environ/UPSTREAM_KEY", input_cost_per_token: 0.000002, output_cost_per_token: 0.000008 },
      model_info: { description: "added in a test", max_tokens: 4096 },
    });
    expect(added).toMatchObject({
      model_name: "runtime-ref",
      litellm_params: { model: "openai/ok", api_base: upstream.url, input_cost_per_token: 0.000002 },
      model_info: { id: added.model_id, db_model: true, description: "added in a test", max_tokens: 4096 },
    });
    expect(added.model_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(added)).not.toContain("UPSTREAM_KEY");

    const before = upstream.requests.length;
    const answer = await chat("runtime-ref");
    expect(answer.choices[0]?.message.content).toBeTruthy();
    const sent = upstream.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.headers.authorization).toBe(`Bearer ${REFERENCED_KEY}`);

    const entry = (await modelInfo()).find((m) => m.model_info.id === added.model_id);
    expect(entry).toMatchObject({
      model_name: "runtime-ref",
      litellm_params: { model: "openai/ok" },
      model_info: { db_model: true, input_cost_per_token: 0.000002, output_cost_per_token: 0.000008, max_tokens: 4096, description: "added in a test", litellm_provider: "openai" },
    });
    expect(entry?.litellm_params).not.toHaveProperty("api_key");
  });

  test("a literal key is stored only sealed; it reaches the upstream but never an answer, the database in clear or a log", async () => {
    const added = await addModel({
      model_name: "runtime-literal",
      litellm_params: { model: "openai/ok", api_base: upstream.url, api_key: LITERAL_KEY, extra_headers: { "x-api-key": LITERAL_KEY, "x-team": "blue" } },
    });
    expect(JSON.stringify(added)).not.toContain(LITERAL_KEY);
    expect(added.litellm_params).toEqual({ model: "openai/ok", api_base: upstream.url, extra_headers: { "x-team": "blue" } });

    const before = upstream.requests.length;
    await chat("runtime-literal");
    const sent = upstream.requests.slice(before)[0];
    expect(sent?.headers.authorization).toBe(`Bearer ${LITERAL_KEY}`);
    expect(sent?.headers["x-api-key"]).toBe(LITERAL_KEY);
    expect(sent?.headers["x-team"]).toBe("blue");

    const db = new Database(join(dataDir, "switchboard.db"), { readonly: true });
    const row = db.query<{ litellm_params: string; sealed_secrets: string }, [string]>("SELECT litellm_params, sealed_secrets FROM models WHERE model_id = ?").get(added.model_id);
    db.close();
    expect(row?.litellm_params).not.toContain(LITERAL_KEY);
    expect(row?.sealed_secrets).toMatch(/^v1\./);
    expect(row?.sealed_secrets).not.toContain(LITERAL_KEY);

    const info = JSON.stringify(await modelInfo());
    expect(info).not.toContain(LITERAL_KEY);
    expect(info).not.toContain("x-api-key");
    expect(JSON.stringify(gateway.loggedErrors.map((e) => String(e.error)))).not.toContain(LITERAL_KEY);
  });

  test("credentials in an api_base (user info, a query) are never shown", async () => {
    const base = upstream.url.replace("http://", "http://user:pw-Xk29@") + "?key=q-secret-Xk29";
    const added = await addModel({ model_name: "runtime-base", litellm_params: { model: "openai/ok", api_base: base, api_key: "os.environ/UPSTREAM_KEY" } });
    expect(added.litellm_params.api_base).toBe(upstream.url);
    const entry = (await modelInfo()).find((m) => m.model_info.id === added.model_id);
    expect(entry?.litellm_params.api_base).toBe(upstream.url);
    expect(JSON.stringify([added, entry])).not.toContain("Xk29");
  });

  test("fields are judged as in a config file: each fault is a 400 naming its field", async () => {
    const refuse = async (body: Record<string, unknown>, param: string, text: string | RegExp) => {
      const answer = await gateway.admin<ErrorBody>("POST", "/model/new", body);
      expect(answer.status).toBe(400);
      expect(answer.body.error.param).toBe(param);
      expect(answer.body.error.message).toMatch(text);
    };
    const params = { model: "openai/ok", api_base: upstream.url, api_key: "os.environ/UPSTREAM_KEY" };
    await refuse({ model_name: "x", litellm_params: { ...params, api_bse: "http://h" } }, "litellm_params.api_bse", /did you mean `api_base`/);
    await refuse({ model_name: "x", litellm_params: { ...params, api_base: "ftp://h" } }, "litellm_params.api_base", /http:\/\/ or https:\/\//);
    await refuse({ model_name: "x", litellm_params: { ...params, model: "nosuch/x" } }, "litellm_params.model", /unknown provider 'nosuch'/);
    await refuse({ model_name: "x", litellm_params: { ...params, api_key: "os.environ/NOT_SET_ANYWHERE" } }, "litellm_params.api_key", /NOT_SET_ANYWHERE is not set/);
    await refuse({ model_name: "x", litellm_params: { ...params, rpm: "lots" } }, "litellm_params.rpm", /integer/);
    await refuse({ model_name: "x", litellm_params: params, model_info: { id: "config-ok" } }, "model_info.id", /config file/);
    // The id travels in a response header, the name in logs: no spaces or control characters.
    await refuse({ model_name: "x", litellm_params: params, model_info: { id: "two words" } }, "model_info.id", /visible ASCII/);
    await refuse({ model_name: "x\r\nx-injected: 1", litellm_params: params }, "model_name", /control characters/);
    const missing = await gateway.admin<ErrorBody>("POST", "/model/new", { model_name: "x" });
    expect(missing.status).toBe(400);
    expect(missing.body.error.param).toBe("litellm_params");
    const unknown = await gateway.admin<ErrorBody>("POST", "/model/new", { model_name: "x", litellm_params: params, modle_info: {} });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.param).toBe("modle_info");
    expect((await modelInfo()).some((m) => m.model_name === "x")).toBe(false);
  });

  test("LiteLLM fields Switchboard does not apply are accepted, named in warnings and not stored", async () => {
    const added = await addModel({
      model_name: "runtime-warned",
      litellm_params: { model: "openai/ok", api_base: upstream.url, api_key: "os.environ/UPSTREAM_KEY", max_retries: 3 },
      model_info: { team_id: "t1", mode: "chat" },
    });
    expect(added.warnings).toEqual([
      "'litellm_params.max_retries' is accepted for LiteLLM compatibility but not applied by Switchboard.",
      "'model_info.team_id' is accepted for LiteLLM compatibility but not applied by Switchboard.",
    ]);
    expect(added.litellm_params).not.toHaveProperty("max_retries");
    expect(added.model_info).toEqual({ id: added.model_id, db_model: true, mode: "chat" });
    const entry = (await modelInfo()).find((m) => m.model_info.id === added.model_id);
    expect(entry?.model_info.mode).toBe("chat");
  });

  test("a chosen id is kept; a taken one is a 400", async () => {
    const added = await addModel({ model_name: "runtime-named", litellm_params: { model: "openai/ok", api_base: upstream.url, api_key: "os.environ/UPSTREAM_KEY" }, model_info: { id: "my-id" } });
    expect(added.model_id).toBe("my-id");
    const again = await gateway.admin<ErrorBody>("POST", "/model/new", { model_name: "other", litellm_params: { model: "openai/ok", api_base: upstream.url, api_key: "os.environ/UPSTREAM_KEY" }, model_info: { id: "my-id" } });
    expect(again.status).toBe(400);
    expect(again.body.error.message).toContain("already exists");
  });
});

describe("changing and removing", () => {
  test("/model/update changes the upstream model and the name at once; PATCH changes only what it sends", async () => {
    const added = await addModel({ model_name: "runtime-change", litellm_params: { model: "openai/ok", api_base: upstream.url, api_key: LITERAL_KEY, rpm: 100 } });
    const updated = await gateway.admin<StoredModelJson>("POST", "/model/update", { model_name: "runtime-changed", litellm_params: { model: "openai/tool" }, model_info: { id: added.model_id } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ model_id: added.model_id, model_name: "runtime-changed", litellm_params: { model: "openai/tool", rpm: 100 } });
    expect(JSON.stringify(updated.body)).not.toContain(LITERAL_KEY);

    const before = upstream.requestsFor("tool").length;
    await chat("runtime-changed");
    const sent = upstream.requestsFor("tool").slice(before);
    expect(sent).toHaveLength(1);
    // The sealed key survived a change that did not send it.
    expect(sent[0]?.headers.authorization).toBe(`Bearer ${LITERAL_KEY}`);
    const gone = await chat("runtime-change").catch((error: unknown) => error);
    expect(gone).toBeInstanceOf(APIError);
    expect((gone as APIError).status).toBe(404);

    const patched = await gateway.admin<StoredModelJson>("PATCH", `/model/${added.model_id}/update`, { litellm_params: { rpm: null, tpm: 5000 } });
    expect(patched.status).toBe(200);
    expect(patched.body.litellm_params).toEqual({ model: "openai/tool", api_base: upstream.url, tpm: 5000 });
    expect(patched.body.model_name).toBe("runtime-changed");
  });

  test("a change that breaks the model is refused and the model keeps serving", async () => {
    const added = await addModel({ model_name: "runtime-keep", litellm_params: { model: "openai/ok", api_base: upstream.url, api_key: "os.environ/UPSTREAM_KEY" } });
    const refused = await gateway.admin<ErrorBody>("PATCH", `/model/${added.model_id}/update`, { litellm_params: { api_base: "not a url" } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.param).toBe("litellm_params.api_base");
    await chat("runtime-keep");
  });

  test("/model/delete stops serving at once; the model leaves /model/info", async () => {
    const added = await addModel({ model_name: "runtime-gone", litellm_params: { model: "openai/ok", api_base: upstream.url, api_key: "os.environ/UPSTREAM_KEY" } });
    await chat("runtime-gone");
    const deleted = await gateway.admin<{ message: string }>("POST", "/model/delete", { id: added.model_id });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ message: `Model: ${added.model_id} deleted successfully` });
    const gone = await chat("runtime-gone").catch((error: unknown) => error);
    expect((gone as APIError).status).toBe(404);
    expect((await modelInfo()).some((m) => m.model_info.id === added.model_id)).toBe(false);
    const again = await gateway.admin<ErrorBody>("POST", "/model/delete", { id: added.model_id });
    expect(again.status).toBe(404);
  });

  test("the config file's models are read-only: update, PATCH and delete are 400s saying why", async () => {
    for (const [method, path, body] of [
      ["POST", "/model/update", { model_info: { id: "config-ok" }, litellm_params: { rpm: 1 } }],
      ["PATCH", "/model/config-ok/update", { litellm_params: { rpm: 1 } }],
      ["POST", "/model/delete", { id: "config-ok" }],
    ] as const) {
      const answer = await gateway.admin<ErrorBody>(method, path, body);
      expect(answer.status).toBe(400);
      expect(answer.body.error.message).toContain("comes from the config file (or is built in), which is read-only at run time");
    }
    await chat("from-config");
    const entry = (await modelInfo()).find((m) => m.model_info.id === "config-ok");
    expect(entry).toMatchObject({ model_name: "from-config", litellm_params: { model: "openai/ok", api_base: upstream.url }, model_info: { db_model: false } });
    expect(JSON.stringify(entry)).not.toContain("sk-config-upstream");
  });
});

describe("GET /model/info", () => {
  test("a virtual key sees only the models it may use; /v1/model/info and litellm_model_id answer the same", async () => {
    await addModel({ model_name: "runtime-visible", litellm_params: { model: "openai/ok", api_base: upstream.url, api_key: "os.environ/UPSTREAM_KEY" } });
    const limited = (await gateway.admin<GeneratedKeyJson>("POST", "/key/generate", { models: ["runtime-visible"] })).body.key;
    const open = (await gateway.admin<GeneratedKeyJson>("POST", "/key/generate", {})).body.key;
    const all = await modelInfo();
    expect(all.length).toBeGreaterThan(1);
    const seen = await modelInfo(limited);
    expect(seen.map((m) => m.model_name)).toEqual(["runtime-visible"]);
    expect((await modelInfo(open)).length).toBe(all.length);
    const v1 = await gateway.admin<ModelInfoJson>("GET", "/v1/model/info", undefined, limited);
    expect(v1.body.data).toEqual(seen);
    const one = await modelInfo(undefined, `?litellm_model_id=config-ok`);
    expect(one.map((m) => m.model_info.id)).toEqual(["config-ok"]);
    const hidden = await gateway.admin<ErrorBody>("GET", "/model/info?litellm_model_id=config-ok", undefined, limited);
    expect(hidden.status).toBe(404);
  });

  test("write routes are the master key's: a virtual key gets 403 and nothing changes", async () => {
    const key = (await gateway.admin<GeneratedKeyJson>("POST", "/key/generate", {})).body.key;
    const answer = await gateway.admin<ErrorBody>("POST", "/model/new", { model_name: "by-key", litellm_params: { model: "openai/ok", api_base: upstream.url } }, key);
    expect(answer.status).toBe(403);
    expect((await modelInfo()).some((m) => m.model_name === "by-key")).toBe(false);
    const unauthenticated = await fetch(`${gateway.origin}/model/info`);
    expect(unauthenticated.status).toBe(401);
  });
});

describe("across restarts", () => {
  test("a new gateway on the same data dir serves the models added at run time", async () => {
    const added = await addModel({ model_name: "runtime-durable", litellm_params: { model: "openai/ok", api_base: upstream.url, api_key: LITERAL_KEY } });
    const second = await startAccountsGateway(config, { dataDir, env });
    try {
      const answer = await new OpenAI({ apiKey: MASTER, baseURL: second.baseURL, maxRetries: 0 }).chat.completions.create({ model: "runtime-durable", messages: [{ role: "user", content: "hi" }] });
      expect(answer.choices).toHaveLength(1);
      expect(upstream.requests.at(-1)?.headers.authorization).toBe(`Bearer ${LITERAL_KEY}`);
      expect((await second.admin<ModelInfoJson>("GET", "/model/info")).body.data.some((m) => m.model_info.id === added.model_id)).toBe(true);
    } finally {
      await second.stop();
    }
  });

  test("without the encryption key, a stored sealed secret is not served (and says why), a referenced one is, and a literal one is refused", async () => {
    const second = await startAccountsGateway(config, { dataDir, env: { UPSTREAM_KEY: REFERENCED_KEY } });
    try {
      await new OpenAI({ apiKey: MASTER, baseURL: second.baseURL, maxRetries: 0 }).chat.completions.create({ model: "runtime-ref", messages: [{ role: "user", content: "hi" }] });
      const sealed = await new OpenAI({ apiKey: MASTER, baseURL: second.baseURL, maxRetries: 0 }).chat.completions
        .create({ model: "runtime-durable", messages: [{ role: "user", content: "hi" }] })
        .catch((error: unknown) => error);
      expect((sealed as APIError).status).toBe(404);
      expect(second.loggedErrors.map((e) => String(e.error)).join("\n")).toMatch(/runtime-durable.*not served.*SWITCHBOARD_ENCRYPTION_KEY/);
      const refused = await second.admin<ErrorBody>("POST", "/model/new", { model_name: "y", litellm_params: { model: "openai/ok", api_base: upstream.url, api_key: LITERAL_KEY } });
      expect(refused.status).toBe(400);
      expect(refused.body.error.param).toBe("litellm_params.api_key");
      expect(refused.body.error.message).toContain("SWITCHBOARD_ENCRYPTION_KEY");
      expect(refused.body.error.message).toContain("LITELLM_SALT_KEY");
      expect(refused.body.error.message).not.toContain(LITERAL_KEY);
    } finally {
      await second.stop();
    }
  });
});
