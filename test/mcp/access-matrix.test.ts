/**
 * The per-key access matrix: keys restricted in every way LiteLLM's object_permission (and
 * Switchboard's metadata.mcp_servers) allows, by the key, its team and its organisation, each
 * checked with the official SDK client against tools/list (exactly the permitted tools) and
 * tools/call (every permitted tool runs; every other one is -32003 naming it, and never reaches
 * its server).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { startAccountsGateway, TEST_MASTER_KEY, type AccountsGateway, type ErrorBody } from "../support/accounts.ts";
import { startMockMcpServer, text, type MockMcpServer } from "../support/mock-mcp.ts";
import { useTempDir } from "../support/temp-dir.ts";
import { MCP_FORBIDDEN } from "../../src/mcp/gateway.ts";

const tmp = useTempDir("switchboard-mcp-matrix-");
/** The stored server's id: permissions may name it so (LiteLLM's UI does) or by its name. */
const GAMMA_ID = "gamma-srv-1";
const ALL = ["alpha-echo", "alpha-files_read", "beta-hidden", "beta-whoami", "gamma-ping", "gamma-pong"];

let upstreams: MockMcpServer[];
let gateway: AccountsGateway;
const clients: Client[] = [];

/** A mock server whose tools answer `<server>:<tool>`, so a result shows which tool ran. */
const mock = (server: string, tools: string[]) => startMockMcpServer(tools.map((name) => ({ name, run: () => text(`${server}:${name}`) })));

beforeAll(async () => {
  const alpha = mock("alpha", ["echo", "files.read"]);
  const beta = mock("beta", ["whoami", "hidden"]);
  const gamma = mock("gamma", ["ping", "pong"]);
  upstreams = [alpha, beta, gamma];
  gateway = await startAccountsGateway(
    { mcp_servers: { alpha: { url: alpha.url, access_groups: ["dev"] }, beta: { url: beta.url } } },
    { dataDir: dirname(await tmp.file("marker", "")) },
  );
  const stored = await gateway.admin("POST", "/v1/mcp/server", {
    server_id: GAMMA_ID,
    server_name: "gamma",
    url: gamma.url,
    transport: "http",
    mcp_access_groups: ["ops"],
    allow_private_hosts: ["127.0.0.1"],
  });
  expect(stored.status).toBe(201);
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await gateway.stop();
  await Promise.all(upstreams.map((upstream) => upstream.stop()));
});

async function connect(key: string, path = "/mcp"): Promise<Client> {
  const client = new Client({ name: "matrix", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.origin}${path}`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
  clients.push(client);
  return client;
}

async function admin<T>(path: string, body: Record<string, unknown>): Promise<T> {
  const answer = await gateway.admin<T>("POST", path, body);
  expect(answer.status).toBe(200);
  return answer.body;
}

const newKey = async (body: Record<string, unknown> = {}) => (await admin<{ key: string }>("/key/generate", body)).key;
const newTeam = async (body: Record<string, unknown>) => (await admin<{ team_id: string }>("/team/new", body)).team_id;
const newOrganization = async (objectPermission: Record<string, unknown>) =>
  (await admin<{ organization_id: string }>("/organization/new", { organization_alias: `org-${crypto.randomUUID()}`, object_permission: objectPermission })).organization_id;

const toolCalls = () => upstreams.reduce((sum, upstream) => sum + upstream.methods.filter((method) => method === "tools/call").length, 0);
const textOf = (result: unknown) => ((result as { content: { text: string }[] }).content[0] as { text: string }).text;

/** tools/list shows exactly `allowed`; each runs on its server; every other tool is refused with -32003 naming it, and no server sees the call. */
async function expectAccess(key: string, allowed: string[]): Promise<void> {
  const client = await connect(key);
  expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual([...allowed].sort());
  for (const name of allowed) {
    const [server, tool] = [name.slice(0, name.indexOf("-")), name.slice(name.indexOf("-") + 1)];
    expect(textOf(await client.callTool({ name, arguments: {} }))).toBe(`${server}:${tool === "files_read" ? "files.read" : tool}`);
  }
  for (const name of ALL.filter((tool) => !allowed.includes(tool))) {
    const before = toolCalls();
    const refused = (await client.callTool({ name, arguments: {} }).catch((error: unknown) => error)) as { code?: number; message?: string };
    expect(refused.code).toBe(MCP_FORBIDDEN);
    expect(refused.message).toMatch(new RegExp(`tool '${name}'|MCP server '${name.slice(0, name.indexOf("-"))}'`));
    expect(toolCalls()).toBe(before);
  }
}

const alphaAll = ["alpha-echo", "alpha-files_read"];
const betaAll = ["beta-hidden", "beta-whoami"];
const gammaAll = ["gamma-ping", "gamma-pong"];

describe("MCP access matrix: one key per way of restricting it", () => {
  const rows: [string, () => Promise<string>, string[]][] = [
    ["no restriction: every tool of every server", () => newKey(), ALL],
    ["empty object_permission lists restrict nothing (LiteLLM's clients send them)", () => newKey({ object_permission: { mcp_servers: [], mcp_access_groups: [], mcp_tool_permissions: {} } }), ALL],
    ["metadata.mcp_servers (Switchboard's first form) names one server", () => newKey({ metadata: { mcp_servers: ["beta"] } }), betaAll],
    ["object_permission.mcp_servers by server name", () => newKey({ object_permission: { mcp_servers: ["alpha"] } }), alphaAll],
    ["object_permission.mcp_servers by the server_id of a server added at run time", () => newKey({ object_permission: { mcp_servers: [GAMMA_ID] } }), gammaAll],
    ["mcp_tool_permissions: one tool of one server (naming a server there allows it, and only it)", () => newKey({ object_permission: { mcp_tool_permissions: { alpha: ["echo"] } } }), ["alpha-echo"]],
    ["mcp_tool_permissions by server_id, with the server's own tool name", () => newKey({ object_permission: { mcp_tool_permissions: { [GAMMA_ID]: ["pong"] } } }), ["gamma-pong"]],
    [
      "a whole server and some tools of another; a tool's own name with a dot",
      () => newKey({ object_permission: { mcp_servers: ["beta"], mcp_tool_permissions: { alpha: ["files.read"] } } }),
      ["alpha-files_read", ...betaAll],
    ],
    ["an empty tool list allows none of that server's tools", () => newKey({ object_permission: { mcp_servers: ["beta"], mcp_tool_permissions: { alpha: [] } } }), betaAll],
    ["the gateway's <server>-<tool> name is not a tool name of the server: it allows nothing", () => newKey({ object_permission: { mcp_tool_permissions: { alpha: ["alpha-echo"] } } }), []],
    ["an access group grants the config file's servers in it (access_groups)", () => newKey({ object_permission: { mcp_access_groups: ["dev"] } }), alphaAll],
    ["an access group grants the stored servers in it (mcp_access_groups)", () => newKey({ object_permission: { mcp_access_groups: ["ops"] } }), gammaAll],
    ["an access group no server is in restricts to nothing, not to everything", () => newKey({ object_permission: { mcp_access_groups: ["nobody"] } }), []],
    [
      "metadata.mcp_servers and object_permission on one key both apply",
      () => newKey({ metadata: { mcp_servers: ["alpha", "beta"] }, object_permission: { mcp_servers: ["beta", "gamma"] } }),
      betaAll,
    ],
    ["a team's object_permission binds a key with none of its own", async () => newKey({ team_id: await newTeam({ object_permission: { mcp_servers: ["beta", "gamma"] } }) }), [...betaAll, ...gammaAll]],
    [
      "a team's and a key's servers intersect",
      async () => newKey({ team_id: await newTeam({ object_permission: { mcp_servers: ["beta", "gamma"] } }), object_permission: { mcp_servers: ["alpha", "beta"] } }),
      betaAll,
    ],
    [
      "a team's and a key's tools intersect, and the team's servers bound the key's",
      async () =>
        newKey({
          team_id: await newTeam({ object_permission: { mcp_tool_permissions: { beta: ["whoami", "hidden"] } } }),
          object_permission: { mcp_tool_permissions: { beta: ["whoami"], alpha: ["echo"] } },
        }),
      ["beta-whoami"],
    ],
    [
      "a team's access group and a key's servers (by name and by id)",
      async () => newKey({ team_id: await newTeam({ object_permission: { mcp_access_groups: ["ops"] } }), object_permission: { mcp_servers: [GAMMA_ID, "alpha"] } }),
      gammaAll,
    ],
    ["a team's metadata.mcp_servers still binds its keys", async () => newKey({ team_id: await newTeam({ metadata: { mcp_servers: ["alpha"] } }) }), alphaAll],
    [
      "an organisation's servers bind the keys of its teams",
      async () => newKey({ team_id: await newTeam({ organization_id: await newOrganization({ mcp_servers: ["alpha"] }) }) }),
      alphaAll,
    ],
    [
      "an organisation's tools are a ceiling on its keys' tools",
      async () =>
        newKey({
          team_id: await newTeam({ organization_id: await newOrganization({ mcp_tool_permissions: { alpha: ["echo", "files.read"] } }) }),
          object_permission: { mcp_tool_permissions: { alpha: ["files.read"], beta: ["whoami"] } },
        }),
      ["alpha-files_read"],
    ],
    [
      "organisation, team and key each narrow: servers, then tools",
      async () =>
        newKey({
          team_id: await newTeam({
            organization_id: await newOrganization({ mcp_servers: ["alpha", "beta"] }),
            object_permission: { mcp_servers: ["beta"], mcp_tool_permissions: { alpha: ["echo"] } },
          }),
          object_permission: { mcp_tool_permissions: { alpha: ["echo", "files.read"] } },
        }),
      ["alpha-echo"],
    ],
  ];
  for (const [name, makeKey, allowed] of rows) {
    test(name, async () => expectAccess(await makeKey(), allowed));
  }
});

describe("MCP tool permissions on every way in", () => {
  test("/mcp/<server> lists only the permitted tools of that server and refuses the others", async () => {
    const key = await newKey({ object_permission: { mcp_tool_permissions: { alpha: ["echo"] } } });
    const client = await connect(key, "/mcp/alpha");
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(["alpha-echo"]);
    const refused = (await client.callTool({ name: "alpha-files_read" }).catch((error: unknown) => error)) as { code: number; message: string };
    expect(refused.code).toBe(MCP_FORBIDDEN);
    expect(refused.message).toContain("may not call tool 'alpha-files_read'");
    expect((await (await connect(key, "/mcp/beta")).listTools()).tools).toEqual([]);
  });

  test("/mcp-rest/tools/list shows only the permitted tools; /mcp-rest/tools/call of another is a 403 naming it", async () => {
    const key = await newKey({ object_permission: { mcp_tool_permissions: { alpha: ["echo"], [GAMMA_ID]: ["ping"] } } });
    const listed = await gateway.admin<{ tools: { name: string }[] }>("GET", "/mcp-rest/tools/list", undefined, key);
    expect(listed.body.tools.map((tool) => tool.name).sort()).toEqual(["alpha-echo", "gamma-ping"]);
    const one = await gateway.admin<{ tools: { name: string }[] }>("GET", `/mcp-rest/tools/list?server_id=${GAMMA_ID}`, undefined, key);
    expect(one.body.tools.map((tool) => tool.name)).toEqual(["gamma-ping"]);
    expect((await gateway.admin("GET", "/mcp-rest/tools/list?server_id=beta", undefined, key)).status).toBe(403);
    const called = await gateway.admin<{ content: { text: string }[] }>("POST", "/mcp-rest/tools/call", { name: "gamma-ping", arguments: {} }, key);
    expect(called.body.content[0]?.text).toBe("gamma:ping");
    const before = toolCalls();
    const refused = await gateway.admin<ErrorBody>("POST", "/mcp-rest/tools/call", { name: "gamma-pong", arguments: {} }, key);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain("may not call tool 'gamma-pong'");
    expect(refused.body.error.message).toContain("mcp_tool_permissions");
    expect(toolCalls()).toBe(before);
  });

  test("a tool the key may not call is refused whether or not the server has it: the refusal tells nothing more", async () => {
    const client = await connect(await newKey({ object_permission: { mcp_tool_permissions: { alpha: ["echo"] } } }));
    const missing = (await client.callTool({ name: "alpha-nothing" }).catch((error: unknown) => error)) as { code: number; message: string };
    expect(missing.code).toBe(MCP_FORBIDDEN);
    expect(missing.message).toContain("may not call tool 'alpha-nothing'");
  });

  test("a change to a key's or team's object_permission applies to the next request", async () => {
    const team = await newTeam({ object_permission: { mcp_servers: ["alpha", "beta"] } });
    const key = await newKey({ team_id: team, object_permission: { mcp_tool_permissions: { alpha: ["echo"] } } });
    await expectAccess(key, ["alpha-echo"]);
    // LiteLLM's update merges field by field: mcp_tool_permissions is replaced, nothing else changes.
    await admin("/key/update", { key, object_permission: { mcp_tool_permissions: { alpha: ["echo", "files.read"], beta: ["hidden"] } } });
    await expectAccess(key, [...alphaAll, "beta-hidden"]);
    await admin("/team/update", { team_id: team, object_permission: { mcp_servers: ["beta"] } });
    await expectAccess(key, ["beta-hidden"]);
    await admin("/key/update", { key, object_permission: null });
    await expectAccess(key, betaAll);
  });

  test("the admin preview still shows every tool of a server, whatever the previewing key's own permissions", async () => {
    const user = await admin<{ key: string }>("/user/new", { user_role: "proxy_admin", user_email: `admin-${crypto.randomUUID()}@example.com` });
    const restricted = await gateway.admin<{ key: string }>("POST", "/key/update", { key: user.key, object_permission: { mcp_tool_permissions: { alpha: ["echo"] } } });
    expect(restricted.status).toBe(200);
    const preview = await gateway.admin<{ tools: { name: string }[] }>("POST", "/mcp-rest/test/tools/list", { server_id: "alpha", server_name: "alpha" }, user.key);
    expect(preview.status).toBe(200);
    expect(preview.body.tools.map((tool) => tool.name)).toEqual(alphaAll);
    await expectAccess(user.key, ["alpha-echo"]);
  });

  test("the master key reaches every tool", async () => {
    await expectAccess(TEST_MASTER_KEY, ALL);
  });
});
