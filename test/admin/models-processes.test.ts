/**
 * A model change reaches every gateway on the same database without a restart: a real gateway
 * process (`bun src/main.ts`, holding the data dir's server lock) picks up a model another gateway
 * on the same database added, by polling the store's change marker, and serves it to the `openai`
 * SDK; a deletion made through the process reaches the other gateway the same way.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import OpenAI, { APIError } from "openai";
import type { StoredModelJson } from "../../src/admin/model-schemas.ts";
import { startAccountsGateway, TEST_MASTER_KEY, type AccountsGateway } from "../support/accounts.ts";
import { killAllStarted, spawnGateway, type SpawnedGateway } from "../support/gateway-process.ts";
import { startMockUpstream, type MockUpstream } from "../support/mock-upstream.ts";
import { useTempDir } from "../support/temp-dir.ts";

const ENCRYPTION_KEY = "Vt5Nq2Wz8Kc1Lx7Rb4Mh9Pf3Jd6Gs0Ya-shared-secret";
const LITERAL_KEY = "sk-cross-process-upstream-Jd82";

const tmp = useTempDir("switchboard-models-processes-");
let upstream: MockUpstream;
let inProcess: AccountsGateway;
let spawned: SpawnedGateway;

beforeAll(async () => {
  upstream = await startMockUpstream();
  const configPath = await tmp.file("config.yaml", `model_list:\n  - model_name: from-file\n    litellm_params:\n      model: openai/ok\n      api_base: ${upstream.url}\n      api_key: os.environ/UPSTREAM_KEY\n`);
  const dataDir = dirname(configPath);
  const env = { SWITCHBOARD_MASTER_KEY: TEST_MASTER_KEY, SWITCHBOARD_ENCRYPTION_KEY: ENCRYPTION_KEY, UPSTREAM_KEY: "sk-file-upstream" };
  spawned = await spawnGateway(["--config", configPath, "--port", "0", "--data-dir", dataDir], env);
  inProcess = await startAccountsGateway({ models: [{ model_name: "from-file", model: "openai/ok", api_base: upstream.url, api_key: "sk-file-upstream" }] }, { dataDir, env, masterKey: TEST_MASTER_KEY });
});
afterAll(async () => {
  await inProcess?.stop();
  await spawned?.stop();
  killAllStarted();
  await upstream?.stop();
});

const call = (origin: string, model: string) =>
  new OpenAI({ apiKey: TEST_MASTER_KEY, baseURL: `${origin}/v1`, maxRetries: 0 }).chat.completions.create({ model, messages: [{ role: "user", content: "hi" }] });
/** Whether `origin` serves `model` now (a 404 says it does not; any other failure fails the test). */
async function served(origin: string, model: string): Promise<boolean> {
  try {
    await call(origin, model);
    return true;
  } catch (error) {
    if (error instanceof APIError && error.status === 404) return false;
    throw error;
  }
}

/** Polls until `model` is (or is no longer) served by `origin`; the gateways poll the store every second. */
async function until(origin: string, model: string, wanted: boolean): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if ((await served(origin, model)) === wanted) return true;
    await Bun.sleep(100);
  }
  return false;
}

describe("models changed on one gateway reach another process on the same database", () => {
  test("added in one, served by the other with its sealed key; deleted in the other, gone from the first", async () => {
    const origin = `http://127.0.0.1:${spawned.port}`;
    expect(await served(origin, "cross-process")).toBe(false);

    const added = await inProcess.admin<StoredModelJson>("POST", "/model/new", { model_name: "cross-process", litellm_params: { model: "openai/ok", api_base: upstream.url, api_key: LITERAL_KEY } });
    expect(added.status).toBe(200);
    expect(await until(origin, "cross-process", true)).toBe(true);
    const last = upstream.requests.at(-1);
    expect(last?.headers.authorization).toBe(`Bearer ${LITERAL_KEY}`);
    expect(spawned.stderr()).not.toContain(LITERAL_KEY);

    const deleted = await fetch(`${origin}/model/delete`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_MASTER_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ id: added.body.model_id }),
    });
    expect(deleted.status).toBe(200);
    expect(await served(origin, "cross-process")).toBe(false);
    expect(await until(inProcess.origin, "cross-process", false)).toBe(true);
  }, 30_000);
});
