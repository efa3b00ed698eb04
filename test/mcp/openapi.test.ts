import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { dirname, join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { startAccountsGateway, TEST_MASTER_KEY, type AccountsGateway } from "../support/accounts.ts";
import { useTempDir } from "../support/temp-dir.ts";
import { loadSpec } from "../../src/mcp/openapi/spec.ts";
import { openApiTools } from "../../src/mcp/openapi/tool.ts";
import { prefixedName } from "../../src/mcp/names.ts";

const SECRET = "pets-upstream-secret-7d2e";
const fixtures = join(import.meta.dir, "openapi", "fixtures");
const tmp = useTempDir("switchboard-mcp-openapi-");

/** A raw TCP listener that counts every connection: the SSRF canary. */
let canary: Server;
let canaryPort = 0;
let canaryConnections = 0;
let api: ReturnType<typeof Bun.serve>;
/** What the API saw in Authorization last (answers to the client are scrubbed of the credential). */
let lastAuthorization: string | null = null;
let gateway: AccountsGateway;
const clients: Client[] = [];

beforeAll(async () => {
  canary = createServer((socket) => {
    canaryConnections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => canary.listen(0, "127.0.0.1", resolve));
  canaryPort = (canary.address() as { port: number }).port;
  const petstore = await readFile(join(fixtures, "petstore.yaml"), "utf8");
  api = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      lastAuthorization = request.headers.get("authorization");
      if (url.pathname === "/openapi.yaml") return new Response(petstore, { headers: { "content-type": "application/yaml" } });
      if (url.pathname === "/api/fail") return new Response(`upstream broke; it saw ${request.headers.get("authorization")}`, { status: 500 });
      if (url.pathname === "/api/text") return new Response("plain words");
      if (url.pathname === "/api/huge") return new Response(`[${"1,".repeat(1_500_000)}1]`, { headers: { "content-type": "application/json" } });
      if (url.pathname === "/api/elsewhere") return new Response(null, { status: 302, headers: { location: `http://localhost:${canaryPort}/stolen` } });
      const body = await request.text();
      return Response.json({
        method: request.method,
        path: request.url.slice(url.origin.length).split("?")[0],
        query: [...url.searchParams],
        authorization: request.headers.get("authorization"),
        trace: request.headers.get("x-trace"),
        cookie: request.headers.get("cookie"),
        contentType: request.headers.get("content-type"),
        body: body ? JSON.parse(body) : null,
      });
    },
  });
  const origin = `http://127.0.0.1:${api.port}`;
  const local = ["127.0.0.1"];
  gateway = await startAccountsGateway(
    {
      mcp_servers: {
        pets: { spec_path: `${origin}/openapi.yaml`, auth_type: "bearer_token", auth_value: SECRET, allow_private_hosts: local, tool_prices: { getPet: 0.01 } },
        collide: { spec_path: join(fixtures, "collisions.json"), url: `${origin}/api`, allow_private_hosts: local, disallowed_tools: ["dup"] },
        legacy: {
          spec: {
            swagger: "2.0",
            info: { title: "legacy", version: "1" },
            host: `127.0.0.1:${api.port}`,
            basePath: "/api",
            schemes: ["http"],
            paths: {
              "/orders/{id}": {
                put: {
                  operationId: "updateOrder",
                  parameters: [
                    { name: "id", in: "path", required: true, type: "integer" },
                    { name: "order", in: "body", required: true, schema: { $ref: "#/definitions/Order" } },
                  ],
                  responses: { "200": { description: "ok" } },
                },
              },
            },
            definitions: { Order: { type: "object", properties: { qty: { type: "integer" } } } },
          },
          auth_type: "api_key",
          auth_value: "legacy-key-0042",
          allow_private_hosts: local,
        },
        canaryspec: { spec_path: `http://127.0.0.1:${canaryPort}/openapi.json` },
        canaryapi: {
          spec: { openapi: "3.1.0", info: { title: "c", version: "1" }, servers: [{ url: `http://127.0.0.1:${canaryPort}` }], paths: { "/x": { get: { operationId: "poke", responses: { "200": { description: "ok" } } } } } },
          auth_type: "bearer_token",
          auth_value: SECRET,
        },
      },
    },
    { dataDir: dirname(await tmp.file("marker", "")) },
  );
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await gateway.stop();
  api.stop(true);
  await new Promise((resolve) => canary.close(resolve));
});

async function connect(path = "/mcp", key = TEST_MASTER_KEY): Promise<Client> {
  const client = new Client({ name: "test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.origin}${path}`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
  clients.push(client);
  return client;
}

const textOf = (result: unknown) => ((result as { content: { text: string }[] }).content[0] as { text: string }).text;

describe("OpenAPI servers as MCP tools through /mcp", () => {
  test("tools/list: each operation a <server>-<tool>, named by the one naming rule; parameters and $ref'd bodies as the JSON schema", async () => {
    const client = await connect();
    const tools = (await client.listTools()).tools;
    const names = tools.map((tool) => tool.name);
    expect(names.filter((name) => name.startsWith("pets-"))).toEqual(["pets-getPet", "pets-pets_create", "pets-fail", "pets-get__text", "pets-huge", "pets-elsewhere"]);
    expect(names.filter((name) => name.startsWith("collide-")).sort()).toEqual(["collide-delete__pets__petId_", "collide-foo_list", "collide-foo_list_2", "collide-foo_list_3", `collide-${"x".repeat(120)}`].sort());
    expect(names).toContain("legacy-updateOrder");
    expect(names).toContain("canaryapi-poke");
    expect(names.some((name) => name.startsWith("canaryspec-"))).toBe(false);
    const getPet = tools.find((tool) => tool.name === "pets-getPet");
    expect(getPet?.description).toBe("One pet");
    expect(getPet?.inputSchema).toEqual({
      type: "object",
      properties: {
        petId: { type: "string", description: "The pet's id" },
        verbose: { type: "boolean" },
        tags: { type: "array", items: { type: "string" } },
        "X-Trace": { type: "string" },
        session: { type: "string" },
      },
      required: ["petId"],
    });
    const create = tools.find((tool) => tool.name === "pets-pets_create");
    expect(create?.inputSchema.required).toEqual(["body"]);
    expect(create?.inputSchema.properties?.body).toMatchObject({ type: "object", required: ["name"], properties: { owner: { type: "object", properties: { email: { type: "string" } } } } });
    expect(tools.find((tool) => tool.name === "legacy-updateOrder")?.inputSchema).toMatchObject({ properties: { id: { type: "integer" }, body: { properties: { qty: { type: "integer" } } } }, required: ["id", "body"] });
  });

  test("tools/call builds the request: path parameters percent-encoded, query, header, cookie, the server's credential; JSON answers pretty-printed", async () => {
    const client = await connect();
    const result = await client.callTool({ name: "pets-getPet", arguments: { petId: "a b/../c?d", verbose: true, tags: ["x", "y"], "X-Trace": "t-1", session: "s 1" } });
    expect(result.isError).toBeFalsy();
    const text = textOf(result);
    expect(text).toContain('\n  "method": "GET"');
    expect(lastAuthorization).toBe(`Bearer ${SECRET}`);
    expect(JSON.parse(text)).toEqual({
      method: "GET",
      path: "/api/pets/a%20b%2F..%2Fc%3Fd",
      query: [["verbose", "true"], ["tags", "x"], ["tags", "y"]],
      authorization: "Bearer ***",
      trace: "t-1",
      cookie: "session=s%201",
      contentType: null,
      body: null,
    });
    const created = JSON.parse(textOf(await client.callTool({ name: "pets-pets_create", arguments: { body: { name: "Rex" } } })));
    expect(created).toMatchObject({ method: "POST", path: "/api/pets", contentType: "application/json", body: { name: "Rex" } });
    expect(textOf(await client.callTool({ name: "pets-get__text", arguments: {} }))).toBe("plain words");
    const huge = textOf(await client.callTool({ name: "pets-huge", arguments: {} }));
    expect(huge.length).toBe(1_000_000 + "\n[cut at 1000000 bytes]".length);
    expect(huge.endsWith(",1\n[cut at 1000000 bytes]")).toBe(true);
    const legacy = JSON.parse(textOf(await client.callTool({ name: "legacy-updateOrder", arguments: { id: 7, body: { qty: 2 } } })));
    expect(legacy).toMatchObject({ method: "PUT", path: "/api/orders/7", body: { qty: 2 }, authorization: null });
  });

  test("registration lists exactly the names the preview function (openApiTools) gives, for the document in both orders", async () => {
    const listed = (await (await connect("/mcp/collide")).listTools()).tools.map((tool) => tool.name);
    const preview = openApiTools((await loadSpec({ spec_path: join(fixtures, "collisions.json") })).operations).tools.map((tool) => prefixedName("collide", tool.name));
    expect(listed).toEqual(preview.filter((name) => name !== "collide-dup"));
    const swapped = openApiTools((await loadSpec({ spec_path: join(fixtures, "collisions-swapped.json") })).operations).tools.map((tool) => tool.name);
    expect(swapped).toEqual(["dup", "foo_list_2", "foo_list", "foo_list_3", "delete__pets__petId_", "x".repeat(128)]);
  });

  test("the management preview of a config file's OpenAPI server shows every tool under the names /mcp registers", async () => {
    const listed = (await (await connect("/mcp/collide")).listTools()).tools.map((tool) => tool.name);
    const answer = await gateway.admin<{ tools: { name: string }[]; error: unknown }>("POST", "/mcp-rest/test/tools/list", { server_id: "collide" });
    expect(answer.status).toBe(200);
    expect(answer.body.error ?? null).toBeNull();
    const previewed = answer.body.tools.map((tool) => tool.name);
    // All of them, the disallowed one included, so an admin can allow it; the rest named alike.
    expect(previewed).toContain("collide-dup");
    expect(previewed.filter((name) => name !== "collide-dup")).toEqual(listed);
  });

  test("a colliding, rewritten name calls its own operation; a disallowed tool is neither listed nor callable", async () => {
    const client = await connect("/mcp/collide");
    expect(JSON.parse(textOf(await client.callTool({ name: "collide-foo_list_3", arguments: {} })))).toMatchObject({ method: "POST", path: "/api/gamma" });
    expect(JSON.parse(textOf(await client.callTool({ name: "collide-foo_list", arguments: {} })))).toMatchObject({ method: "GET", path: "/api/beta" });
    await expect(client.callTool({ name: "collide-dup", arguments: {} })).rejects.toThrow("not allowed");
  });

  test("an HTTP error is an isError result that never carries the credential", async () => {
    const client = await connect();
    const result = await client.callTool({ name: "pets-fail", arguments: {} });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe("HTTP 500: upstream broke; it saw Bearer ***");
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });

  test("SSRF canary: a spec URL, a server URL and a redirect to another host reaching 127.0.0.1 without the allowance make zero connections", async () => {
    const client = await connect();
    await expect(client.callTool({ name: "canaryapi-poke", arguments: {} })).rejects.toThrow(/refused: host 127\.0\.0\.1 is a loopback, private, link-local or metadata address/);
    await expect(client.callTool({ name: "pets-elsewhere", arguments: {} })).rejects.toThrow("redirected to another host (localhost)");
    const one = await connect("/mcp/canaryspec");
    await expect(one.listTools()).rejects.toThrow(/canaryspec.*could not be loaded \(refused: host 127\.0\.0\.1/);
    await Bun.sleep(50);
    expect(canaryConnections).toBe(0);
  });

  test("a call is accounted like any MCP tool call: a ledger row with the tool's price, an HTTP error a row too", async () => {
    const key = (await gateway.admin<{ key: string }>("POST", "/key/generate", {})).body.key;
    const client = await connect("/mcp", key);
    await client.callTool({ name: "pets-getPet", arguments: { petId: "1" } });
    await client.callTool({ name: "pets-fail", arguments: {} });
    const rows = (await gateway.admin<{ model: string; call_type: string; spend_usd: string | null }[]>("GET", `/spend/logs?api_key=${encodeURIComponent(key)}`)).body;
    expect(rows.map((row) => [row.model, row.call_type, row.spend_usd]).sort()).toEqual([
      ["pets-fail", "mcp_tool_call", "0"],
      ["pets-getPet", "mcp_tool_call", "0.01"],
    ]);
  });
});
