import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { loadConfigValue } from "../../src/config/load.ts";
import { startAccountsGateway, TEST_MASTER_KEY, type AccountsGateway } from "../support/accounts.ts";
import { configError } from "../support/config-error.ts";
import { startMockMcpServer, startMockSseMcpServer, text, type MockMcpServer } from "../support/mock-mcp.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-mcp-extra-headers-");
let plain: MockMcpServer;
let sse: MockMcpServer;
let api: ReturnType<typeof Bun.serve>;
let apiSeen: Headers[] = [];
let gateway: AccountsGateway;
const clients: Client[] = [];

/** What an upstream tells of the headers a call reached it with. */
const report = (headers: Headers) =>
  JSON.stringify({ user: headers.get("x-user-token"), auth: headers.get("authorization"), team: headers.get("x-team"), other: headers.get("x-not-named") });

const SPEC = {
  openapi: "3.0.0",
  info: { title: "who", version: "1" },
  paths: { "/whoami": { get: { operationId: "whoami", responses: { "200": { description: "ok" } } } } },
};

beforeAll(async () => {
  plain = startMockMcpServer([{ name: "whoami", run: (_args, headers) => text(report(headers)) }]);
  sse = await startMockSseMcpServer([{ name: "whoami", run: (_args, headers) => text(report(headers)) }]);
  api = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      apiSeen.push(request.headers);
      return new Response(report(request.headers), { headers: { "content-type": "text/plain" } });
    },
  });
  const passed = ["X-User-Token", "authorization", "x-team"];
  gateway = await startAccountsGateway(
    {
      mcp_servers: {
        plain: { url: plain.url, transport: "http", extra_headers: passed, static_headers: { "X-Team": "gateway-team" } },
        legacy: { url: sse.url, transport: "sse", extra_headers: passed },
        api: { url: `http://127.0.0.1:${api.port}`, spec: SPEC, extra_headers: passed, allow_private_hosts: ["127.0.0.1"] },
        closed: { url: plain.url, transport: "http" },
      },
    },
    { dataDir: dirname(await tmp.file("marker", "")) },
  );
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await gateway.stop();
  await plain.stop();
  await sse.stop();
  await api.stop(true);
});

async function newKey(): Promise<string> {
  return (await gateway.admin<{ key: string }>("POST", "/key/generate", {})).body.key;
}

/** An official SDK client of /mcp sending `headers` on every request. */
async function connect(headers: Record<string, string>): Promise<Client> {
  const client = new Client({ name: "test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.origin}/mcp`), { requestInit: { headers } }));
  clients.push(client);
  return client;
}

async function whoami(client: Client, tool: string): Promise<Record<string, string | null>> {
  const result = (await client.callTool({ name: tool, arguments: {} })) as { content: { text: string }[]; isError?: boolean };
  expect(result.isError).toBeFalsy();
  return JSON.parse(result.content[0]?.text ?? "null");
}

describe("MCP extra_headers: the caller's named headers passed on to the upstream", () => {
  test("two concurrent callers each reach every kind of upstream with their own values, never the other's", async () => {
    const [keyA, keyB] = [await newKey(), await newKey()];
    const a = await connect({ authorization: `Bearer ${keyA}`, "x-user-token": "token-of-a", "x-not-named": "a-secret" });
    const b = await connect({ "x-litellm-api-key": keyB, "x-user-token": "token-of-b", "x-not-named": "b-secret" });
    for (const tool of ["plain-whoami", "legacy-whoami", "api-whoami"]) {
      const calls = Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? whoami(a, tool).then((seen) => ["a", seen] as const) : whoami(b, tool).then((seen) => ["b", seen] as const)));
      for (const [who, seen] of await Promise.all(calls)) {
        expect(`${tool} ${who}: ${seen.user}`).toBe(`${tool} ${who}: token-of-${who}`);
        expect(seen.other).toBeNull();
      }
    }
    const everything = JSON.stringify([...plain.seen, ...sse.seen, ...apiSeen].map((headers) => [...headers]));
    for (const never of [keyA, keyB, "a-secret", "b-secret"]) expect(everything).not.toContain(never);
  });

  test("/mcp-rest/tools/call passes them on as /mcp does", async () => {
    const key = await newKey();
    for (const tool of ["plain-whoami", "legacy-whoami", "api-whoami"]) {
      const answer = await fetch(`${gateway.origin}/mcp-rest/tools/call`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "x-user-token": "rest-token", "x-not-named": "rest-secret" },
        body: JSON.stringify({ name: tool, arguments: {} }),
      });
      expect(answer.status).toBe(200);
      const result = (await answer.json()) as { content: { text: string }[] };
      expect(JSON.parse(result.content[0]?.text ?? "null")).toMatchObject({ user: "rest-token", other: null });
    }
  });

  test("Authorization passes only when it did not carry the gateway key; the server's own static header wins over the caller's", async () => {
    const key = await newKey();
    const withKey = await connect({ authorization: `Bearer ${key}`, "x-team": "caller-team" });
    expect(await whoami(withKey, "plain-whoami")).toEqual({ user: null, auth: null, team: "gateway-team", other: null });
    const ownAuth = await connect({ "x-switchboard-api-key": key, authorization: "Bearer user-upstream-token", "x-team": "caller-team" });
    expect(await whoami(ownAuth, "plain-whoami")).toEqual({ user: null, auth: "Bearer user-upstream-token", team: "gateway-team", other: null });
    expect(await whoami(ownAuth, "api-whoami")).toEqual({ user: null, auth: "Bearer user-upstream-token", team: "caller-team", other: null });
  });

  test("a server without extra_headers gets none of the caller's headers", async () => {
    const before = plain.seen.length;
    const client = await connect({ "x-litellm-api-key": await newKey(), "x-user-token": "not-for-closed", authorization: "Bearer not-for-closed" });
    expect(await whoami(client, "closed-whoami")).toEqual({ user: null, auth: null, team: null, other: null });
    expect(JSON.stringify(plain.seen.slice(before).map((headers) => [...headers]))).not.toContain("not-for-closed");
  });
});

describe("extra_headers names the gateway never passes on", () => {
  test("the config file refuses the gateway key's headers and hop-by-hop headers, each named", async () => {
    for (const [name, why] of [
      ["x-litellm-api-key", "Switchboard key"],
      ["X-Switchboard-Api-Key", "Switchboard key"],
      ["api-key", "Switchboard key"],
      ["x-api-key", "Switchboard key"],
      ["Connection", "hop-by-hop"],
      ["transfer-encoding", "hop-by-hop"],
      ["mcp-session-id", "transport"],
    ] as const) {
      const error = await configError(() => loadConfigValue({ mcp_servers: { s: { url: "https://s/mcp", extra_headers: ["x-user-token", name] } } }, "c.yaml", {}));
      expect(error.problems.length).toBe(1);
      expect(error.problems[0]).toStartWith(`mcp_servers.s.extra_headers: '${name}'`);
      expect(error.problems[0]).toContain(why);
    }
    const error = await configError(() => loadConfigValue({ mcp_servers: { s: { url: "https://s/mcp", extra_headers: ["bad header"] } } }, "c.yaml", {}));
    expect(error.problems[0]).toStartWith("mcp_servers.s.extra_headers");
  });

  test("a LiteLLM config's extra_headers is taken, not warned about", () => {
    const loaded = loadConfigValue(
      { model_list: [{ model_name: "gpt", litellm_params: { model: "openai/gpt-4o", api_key: "sk-x" } }], mcp_servers: { s: { url: "https://s/mcp", transport: "http", extra_headers: ["x-user-token"] } } },
      "c.yaml",
      {},
    );
    expect(loaded.config.mcp_servers?.s?.extra_headers).toEqual(["x-user-token"]);
    expect(loaded.warnings.filter((warning) => warning.includes("extra_headers"))).toEqual([]);
  });

  test("the management API refuses them with a 400 naming the header, and stores and answers an allowed list", async () => {
    const body = { server_name: "stored", url: plain.url, transport: "http", allow_private_hosts: ["127.0.0.1"] };
    for (const name of ["x-api-key", "Keep-Alive"]) {
      const refused = await gateway.admin<{ error: { message: string; param: string } }>("POST", "/v1/mcp/server", { ...body, extra_headers: [name] });
      expect(refused.status).toBe(400);
      expect(refused.body.error.param).toBe("extra_headers");
      expect(refused.body.error.message).toContain(`'${name}'`);
    }
    const created = await gateway.admin<{ server_id: string; extra_headers: string[] | null; warnings?: unknown }>("POST", "/v1/mcp/server", { ...body, extra_headers: ["x-user-token"] });
    expect(created.status).toBe(201);
    expect(created.body.extra_headers).toEqual(["x-user-token"]);
    expect(created.body.warnings).toBeUndefined();
    const client = await connect({ "x-litellm-api-key": await newKey(), "x-user-token": "stored-caller-token", "x-team": "not-named-here" });
    expect(await whoami(client, "stored-whoami")).toEqual({ user: "stored-caller-token", auth: null, team: null, other: null });
    const updated = await fetch(`${gateway.origin}/v1/mcp/server`, {
      method: "PUT",
      headers: { authorization: `Bearer ${TEST_MASTER_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ server_id: created.body.server_id, extra_headers: ["x-litellm-api-key"] }),
    });
    expect(updated.status).toBe(400);
    expect(((await updated.json()) as { error: { param: string } }).error.param).toBe("extra_headers");
  });
});
