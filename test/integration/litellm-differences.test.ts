/**
 * A LiteLLM user learns what is not supported yet from the README, not from a 404: every LiteLLM
 * proxy route below is either served (anything but a route_not_found 404) or named in the README's
 * "Differences from LiteLLM" section. When a route lands, the test keeps passing; when one is
 * missing and unlisted, it fails.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { startAccountsGateway, type AccountsGateway } from "../support/accounts.ts";
import { useTempDir } from "../support/temp-dir.ts";

/** LiteLLM proxy routes (its docs' endpoint list and admin API), and the text the README names each by. */
const LITELLM_ROUTES: [method: string, path: string, named: string][] = [
  ["POST", "/v1/responses", "/v1/responses"],
  ["POST", "/v1/completions", "/v1/completions"],
  ["POST", "/v1/images/generations", "/v1/images"],
  ["POST", "/v1/images/edits", "/v1/images"],
  ["POST", "/v1/audio/speech", "/v1/audio"],
  ["POST", "/v1/audio/transcriptions", "/v1/audio"],
  ["POST", "/v1/moderations", "/v1/moderations"],
  ["POST", "/v1/rerank", "/v1/rerank"],
  ["POST", "/v1/files", "/v1/files"],
  ["POST", "/v1/batches", "/v1/batches"],
  ["POST", "/v1/fine_tuning/jobs", "/v1/fine_tuning"],
  ["POST", "/v1/assistants", "/v1/assistants"],
  ["POST", "/v1/vector_stores", "/v1/vector_stores"],
  ["POST", "/openai/deployments/gpt-4o/chat/completions", "/openai/deployments"],
  ["POST", "/anthropic/v1/messages", "pass-through"],
  ["POST", "/vertex_ai/v1/projects/p/locations/l/publishers/google/models/m:generateContent", "pass-through"],
  ["POST", "/bedrock/model/m/converse", "pass-through"],
  ["POST", "/mcp", "MCP"],
  ["POST", "/organization/new", "/organization/*"],
  ["POST", "/team/permissions_update", "/team/permissions_update"],
  ["POST", "/model/new", "/model/*"],
  ["GET", "/model/info", "/model/*"],
  ["GET", "/ui", "admin UI"],
  ["GET", "/sso/key/generate", "SSO"],
  ["GET", "/cache/ping", "caching"],
  ["GET", "/guardrails/list", "guardrails"],
];

const tmp = useTempDir("switchboard-litellm-differences-");
let gateway: AccountsGateway;
let section = "";

beforeAll(async () => {
  // As the binary runs: with a store, so the management routes it serves are there.
  gateway = await startAccountsGateway({}, { dataDir: dirname(await tmp.file("marker", "")) });
  const readme = await readFile(join(resolve(import.meta.dir, "../.."), "README.md"), "utf8");
  const start = readme.indexOf("## Differences from LiteLLM");
  section = start < 0 ? "" : readme.slice(start, readme.indexOf("\n## ", start + 1));
});
afterAll(() => gateway.stop());

describe("the README's Differences from LiteLLM", () => {
  test("the section exists and says what is deliberately different", () => {
    expect(section).not.toBe("");
    for (const topic of ["strict", "budget_exceeded", "master key", "loopback", "unknown key", "one server per data dir"]) expect(section.toLowerCase()).toContain(topic);
  });

  for (const [method, path, named] of LITELLM_ROUTES) {
    test(`${method} ${path}: served, or listed as not supported yet`, async () => {
      const response = await fetch(`${gateway.origin}${path}`, { method, ...(method === "POST" ? { body: "{}", headers: { "content-type": "application/json" } } : {}) });
      const body = (await response.json().catch(() => ({}))) as { error?: { code?: string } };
      const missing = response.status === 404 && body.error?.code === "route_not_found";
      if (missing) expect(section).toContain(named);
    });
  }
});
