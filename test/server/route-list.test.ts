/**
 * `GET /routes` lists the server's routes as LiteLLM lists its own (`{"routes": [{path, methods,
 * name}]}`), without a key, like `/openapi.json`, and names every route the OpenAPI document does.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import { startAccountsGateway, type AccountsGateway } from "../support/accounts.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-route-list-");
let gateway: AccountsGateway;

beforeAll(async () => {
  gateway = await startAccountsGateway({}, { dataDir: dirname(await tmp.file("marker", "")) });
});
afterAll(async () => {
  await gateway?.stop();
});

describe("GET /routes", () => {
  test("answers without a key; every route of the OpenAPI document is listed with its method", async () => {
    const response = await fetch(`${gateway.origin}/routes`);
    expect(response.status).toBe(200);
    const { routes } = (await response.json()) as { routes: { path: string; methods: string[]; name: string }[] };
    expect(routes).toContainEqual({ path: "/v1/chat/completions", methods: ["POST"], name: expect.any(String) });
    expect(routes).toContainEqual({ path: "/model/{model_id}/update", methods: ["PATCH"], name: expect.any(String) });
    expect(routes.some((r) => r.path === "/health/readiness" && r.methods[0] === "GET")).toBe(true);
    const listed = new Set(routes.map((r) => `${r.methods[0]} ${r.path}`));
    const document = (await (await fetch(`${gateway.origin}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const method of Object.keys(operations)) expect(listed).toContain(`${method.toUpperCase()} ${path}`);
    }
  });
});
