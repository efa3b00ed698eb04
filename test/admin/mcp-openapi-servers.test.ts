import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { dirname } from "node:path";
import { useTempDir } from "../support/temp-dir.ts";
import { startAccountsGateway, TEST_MASTER_KEY, type AccountsGateway, type ErrorBody } from "../support/accounts.ts";

const fixtures = join(import.meta.dir, "..", "mcp", "openapi", "fixtures");
let api: ReturnType<typeof Bun.serve>;
let canary: Server;
let canaryPort = 0;
let canaryConnections = 0;
let gateway: AccountsGateway;
const clients: Client[] = [];
const tmp = useTempDir("switchboard-mcp-openapi-admin-");

interface ToolList {
  tools: { name: string }[];
  error: string | null;
}

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
    fetch(request) {
      const url = new URL(request.url);
      if (url.pathname === "/openapi.yaml") return new Response(petstore, { headers: { "content-type": "application/yaml" } });
      return Response.json({ method: request.method, path: url.pathname });
    },
  });
  gateway = await startAccountsGateway({}, { dataDir: dirname(await tmp.file("marker", "")) });
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await gateway.stop();
  await api.stop(true);
  await new Promise((resolve) => canary.close(resolve));
});

async function connect(): Promise<Client> {
  const client = new Client({ name: "test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.origin}/mcp`), { requestInit: { headers: { authorization: `Bearer ${TEST_MASTER_KEY}` } } }));
  clients.push(client);
  return client;
}

describe("OpenAPI servers through the management API", () => {
  test("a spec URL on an allowed private host: /mcp serves and calls its tools at once, and the preview of the stored server names them the same", async () => {
    const created = await gateway.admin<{ server_id: string; url: string | null }>("POST", "/v1/mcp/server", {
      server_name: "pets",
      spec_path: `http://127.0.0.1:${api.port}/openapi.yaml`,
      allow_private_hosts: ["127.0.0.1"],
    });
    expect(created.status).toBe(201);
    expect(created.body.url).toBeNull();
    const client = await connect();
    const served = (await client.listTools()).tools.map((tool) => tool.name).filter((name) => name.startsWith("pets-"));
    expect(served).toEqual(["pets-getPet", "pets-pets_create", "pets-fail", "pets-get__text", "pets-huge", "pets-elsewhere"]);
    const result = await client.callTool({ name: "pets-getPet", arguments: { petId: "7" } });
    expect(result.isError).toBeFalsy();
    expect(JSON.parse((result.content as { text: string }[])[0]?.text ?? "")).toEqual({ method: "GET", path: "/api/pets/7" });
    const preview = await gateway.admin<ToolList>("POST", "/mcp-rest/test/tools/list", { server_id: created.body.server_id });
    expect(preview.status).toBe(200);
    expect(preview.body.error).toBeNull();
    expect(preview.body.tools.map((tool) => tool.name)).toEqual(served);
    // Changing it to a file path is refused like creating one.
    const changed = await fetch(`${gateway.origin}/v1/mcp/server`, {
      method: "PUT",
      headers: { authorization: `Bearer ${TEST_MASTER_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ server_id: created.body.server_id, spec_path: join(fixtures, "petstore.yaml") }),
    });
    expect(changed.status).toBe(400);
    expect(((await changed.json()) as ErrorBody).error.param).toBe("spec_path");
  });

  test("an inline spec is stored and served; the preview of one sent inline names its tools the same", async () => {
    const spec = { openapi: "3.1.0", info: { title: "t", version: "1" }, paths: { "/ping": { get: { operationId: "ping", responses: { "200": { description: "ok" } } } } } };
    const body = { server_name: "inline", spec, url: `http://127.0.0.1:${api.port}/base`, allow_private_hosts: ["127.0.0.1"] };
    const preview = await gateway.admin<ToolList>("POST", "/mcp-rest/test/tools/list", body);
    expect(preview.body.tools.map((tool) => tool.name)).toEqual(["inline-ping"]);
    expect((await gateway.admin("POST", "/v1/mcp/server", body)).status).toBe(201);
    const result = await (await connect()).callTool({ name: "inline-ping", arguments: {} });
    expect(JSON.parse((result.content as { text: string }[])[0]?.text ?? "")).toEqual({ method: "GET", path: "/base/ping" });
  });

  test("a file path is a 400 on create and preview (and update, above): the gateway never reads its own files for an API caller", async () => {
    for (const spec_path of [join(fixtures, "petstore.yaml"), "file:///etc/passwd", "openapi.json"]) {
      for (const path of ["/v1/mcp/server", "/mcp-rest/test/tools/list"]) {
        const answer = await gateway.admin<ErrorBody>("POST", path, { server_name: "files", spec_path });
        expect(`${path} ${spec_path}: ${answer.status} ${answer.body.error?.param}`).toBe(`${path} ${spec_path}: 400 spec_path`);
        expect(answer.body.error.message).toContain("http(s) URL");
      }
    }
  });

  test("SSRF canary: a private spec URL (or url) without the allowance is a 400 and nothing is connected to", async () => {
    const spec = { openapi: "3.1.0", info: { title: "t", version: "1" }, paths: {} };
    const cases: [Record<string, unknown>, string][] = [
      [{ server_name: "canary", spec_path: `http://127.0.0.1:${canaryPort}/openapi.json` }, "spec_path"],
      [{ server_name: "canary", spec_path: `http://localhost:${canaryPort}/openapi.json` }, "spec_path"],
      [{ server_name: "canary", spec, url: `http://127.0.0.1:${canaryPort}/api` }, "url"],
    ];
    for (const [body, param] of cases) {
      for (const path of ["/v1/mcp/server", "/mcp-rest/test/tools/list"]) {
        const answer = await gateway.admin<ErrorBody>("POST", path, body);
        expect(`${path} ${JSON.stringify(body)}: ${answer.status} ${answer.body.error?.param}`).toBe(`${path} ${JSON.stringify(body)}: 400 ${param}`);
      }
    }
    expect(canaryConnections).toBe(0);
  });
});
