/**
 * LiteLLM's object_permission through the management API: stored on keys, teams and organisations,
 * answered by their info routes, updated field by field as LiteLLM merges it; its fields Switchboard
 * does not apply are named in `warnings`; an existing key's is changed only by an admin. MCP
 * servers' mcp_access_groups are stored and answered. (What they allow: test/mcp/access-matrix.)
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import { startAccountsGateway, TEST_MASTER_KEY, type AccountsGateway, type ErrorBody } from "../support/accounts.ts";
import { startMockMcpServer, text, type MockMcpServer } from "../support/mock-mcp.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-object-permission-");
let gateway: AccountsGateway;
let upstream: MockMcpServer;

interface ObjectPermissionJson {
  mcp_servers: string[] | null;
  mcp_access_groups: string[] | null;
  mcp_tool_permissions: Record<string, string[]> | null;
}
interface WithPermission {
  object_permission: ObjectPermissionJson | null;
  warnings?: string[];
}

beforeAll(async () => {
  upstream = startMockMcpServer([{ name: "ping", run: () => text("pong") }]);
  gateway = await startAccountsGateway({ mcp_servers: { cfg: { url: upstream.url, access_groups: ["dev"] } } }, { dataDir: dirname(await tmp.file("marker", "")) });
});
afterAll(async () => {
  await gateway.stop();
  await upstream.stop();
});

async function ok<T>(method: "GET" | "POST" | "PATCH", path: string, body?: unknown, key?: string): Promise<T> {
  const answer = await gateway.admin<T>(method, path, body, key);
  if (answer.status !== 200 && answer.status !== 201) throw new Error(`${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

const keyInfo = async (key: string) => (await ok<{ info: WithPermission }>("GET", `/key/info?key=${encodeURIComponent(key)}`)).info.object_permission;

describe("object_permission on keys", () => {
  test("/key/generate stores it and /key/info answers it in LiteLLM's names; its unapplied fields are warnings", async () => {
    const generated = await ok<WithPermission & { key: string }>("POST", "/key/generate", {
      object_permission: { mcp_servers: ["cfg"], mcp_tool_permissions: { cfg: ["ping"] }, vector_stores: ["vs-1"], agents: [] },
    });
    const expected = { mcp_servers: ["cfg"], mcp_access_groups: null, mcp_tool_permissions: { cfg: ["ping"] } };
    expect(generated.object_permission).toEqual(expected);
    // An empty list (agents: []) asks for nothing, so it is no warning.
    expect(generated.warnings).toEqual(["'object_permission.vector_stores' is accepted for LiteLLM compatibility but not applied by Switchboard."]);
    expect(await keyInfo(generated.key)).toEqual(expected);
    // A key without one answers null, as LiteLLM's does.
    expect(await keyInfo((await ok<{ key: string }>("POST", "/key/generate", {})).key)).toBeNull();
  });

  test("/key/update merges field by field (LiteLLM's way): a field sent replaces, null clears it, the rest stays; null clears it all", async () => {
    const { key } = await ok<{ key: string }>("POST", "/key/generate", { object_permission: { mcp_servers: ["cfg"], mcp_access_groups: ["dev"] } });
    await ok("POST", "/key/update", { key, object_permission: { mcp_tool_permissions: { cfg: ["ping"] }, mcp_access_groups: null } });
    expect(await keyInfo(key)).toEqual({ mcp_servers: ["cfg"], mcp_access_groups: null, mcp_tool_permissions: { cfg: ["ping"] } });
    await ok("POST", "/key/update", { key, metadata: { note: "no object_permission sent" } });
    expect((await keyInfo(key))?.mcp_servers).toEqual(["cfg"]);
    await ok("POST", "/key/update", { key, object_permission: null });
    expect(await keyInfo(key)).toBeNull();
  });

  test("a misspelt field or a wrong shape is a 400 naming it", async () => {
    const misspelt = await gateway.admin<ErrorBody>("POST", "/key/generate", { object_permission: { mcp_server: ["cfg"] } });
    expect(misspelt.status).toBe(400);
    expect(misspelt.body.error.message).toContain("mcp_server");
    const shape = await gateway.admin<ErrorBody>("POST", "/key/generate", { object_permission: { mcp_tool_permissions: { cfg: "ping" } } });
    expect(shape.status).toBe(400);
  });
});

describe("object_permission on teams and organisations", () => {
  test("/team/new and /team/update store it; /team/info answers it; no 'not applied' warning for it", async () => {
    const created = await ok<WithPermission & { team_id: string }>("POST", "/team/new", { object_permission: { mcp_access_groups: ["dev"] } });
    expect(created.object_permission).toEqual({ mcp_servers: null, mcp_access_groups: ["dev"], mcp_tool_permissions: null });
    expect(created.warnings).toBeUndefined();
    const updated = await ok<{ data: WithPermission; warnings?: string[] }>("POST", "/team/update", { team_id: created.team_id, object_permission: { mcp_servers: ["cfg"] } });
    expect(updated.warnings).toBeUndefined();
    const info = await ok<{ team_info: WithPermission }>("GET", `/team/info?team_id=${created.team_id}`);
    expect(info.team_info.object_permission).toEqual({ mcp_servers: ["cfg"], mcp_access_groups: ["dev"], mcp_tool_permissions: null });
  });

  test("/organization/new and /organization/update store it; /organization/info answers it", async () => {
    const created = await ok<WithPermission & { organization_id: string }>("POST", "/organization/new", {
      organization_alias: "perm-org",
      object_permission: { mcp_tool_permissions: { cfg: ["ping"] } },
    });
    expect(created.warnings).toBeUndefined();
    const updated = await ok<WithPermission>("PATCH", "/organization/update", { organization_id: created.organization_id, object_permission: { mcp_servers: ["cfg"], skills: ["x"] } });
    expect(updated.warnings).toEqual(["'object_permission.skills' is accepted for LiteLLM compatibility but not applied by Switchboard."]);
    const info = await ok<WithPermission>("GET", `/organization/info?organization_id=${created.organization_id}`);
    expect(info.object_permission).toEqual({ mcp_servers: ["cfg"], mcp_access_groups: null, mcp_tool_permissions: { cfg: ["ping"] } });
  });
});

describe("who may change a key's object_permission", () => {
  test("a user sets it on a key it makes; changing an existing key's takes a proxy admin or the key's team's admin", async () => {
    const team = (await ok<{ team_id: string }>("POST", "/team/new", {})).team_id;
    const user = await ok<{ key: string }>("POST", "/user/new", { user_id: "op-user", teams: [{ team_id: team, user_role: "admin" }] });
    const own = await ok<{ key: string }>("POST", "/key/generate", { object_permission: { mcp_servers: ["cfg"] } }, user.key);
    expect(await keyInfo(own.key)).toMatchObject({ mcp_servers: ["cfg"] });

    const lifted = await gateway.admin<ErrorBody>("POST", "/key/update", { key: own.key, object_permission: null }, user.key);
    expect(lifted.status).toBe(403);
    expect(lifted.body.error.message).toContain("object_permission");
    expect((await gateway.admin<ErrorBody>("POST", "/key/regenerate", { key: own.key, object_permission: { mcp_servers: [] } }, user.key)).status).toBe(403);
    expect(await keyInfo(own.key)).toMatchObject({ mcp_servers: ["cfg"] });
    // Other changes to its own key stay the user's.
    await ok("POST", "/key/update", { key: own.key, key_alias: "mine" }, user.key);

    const teamKey = await ok<{ key: string }>("POST", "/key/generate", { team_id: team }, user.key);
    await ok("POST", "/key/update", { key: teamKey.key, object_permission: { mcp_access_groups: ["dev"] } }, user.key);
    expect(await keyInfo(teamKey.key)).toMatchObject({ mcp_access_groups: ["dev"] });
    await ok("POST", "/key/update", { key: own.key, object_permission: null });
    expect(await keyInfo(own.key)).toBeNull();
  });
});

describe("mcp_access_groups of MCP servers", () => {
  test("/v1/mcp/server stores and answers them (no longer a warning); the config file's access_groups are answered too", async () => {
    const created = await ok<{ server_id: string; mcp_access_groups: string[]; warnings?: string[] }>("POST", "/v1/mcp/server", {
      server_name: "grouped",
      url: upstream.url,
      transport: "http",
      allow_private_hosts: ["127.0.0.1"],
      mcp_access_groups: ["ops", "dev"],
    });
    expect(created.mcp_access_groups).toEqual(["ops", "dev"]);
    expect(created.warnings).toBeUndefined();
    const listed = await ok<{ server_id: string; mcp_access_groups: string[] }[]>("GET", "/v1/mcp/server");
    expect(listed.map((server) => [server.server_id, server.mcp_access_groups])).toEqual([
      ["cfg", ["dev"]],
      [created.server_id, ["ops", "dev"]],
    ]);
    const response = await fetch(`${gateway.origin}/v1/mcp/server`, {
      method: "PUT",
      headers: { authorization: `Bearer ${TEST_MASTER_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ server_id: created.server_id, mcp_access_groups: null }),
    });
    expect(((await response.json()) as { mcp_access_groups: string[] }).mcp_access_groups).toEqual([]);
  });
});
