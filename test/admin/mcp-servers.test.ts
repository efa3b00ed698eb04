import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { dirname, join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { startAccountsGateway, TEST_MASTER_KEY, type AccountsGateway, type ErrorBody } from "../support/accounts.ts";
import { startMockMcpServer, text, type MockMcpServer } from "../support/mock-mcp.ts";
import { startMockTokenEndpoint, type MockTokenEndpoint } from "../support/mock-oauth.ts";
import { useTempDir } from "../support/temp-dir.ts";
import { openStore } from "../../src/store/open.ts";

const TOKEN = "secure-upstream-token-7d2e9b";
const HEADER_SECRET = "static-header-secret-51ac";
const ENCRYPTION_KEY = "Wd8Lq3Zr6Tn1Pk9Vb4Hx7Cm2Fy5Js0Ea-mcp-secrets";

const tmp = useTempDir("switchboard-mcp-admin-");
let secure: MockMcpServer;
let open: MockMcpServer;
let gateway: AccountsGateway;
let dataDir: string;
const clients: Client[] = [];

interface ServerJson {
  server_id: string;
  server_name: string;
  url: string;
  transport: string;
  auth_type: string | null;
  allowed_tools: string[] | null;
  db_server: boolean;
  warnings?: string[];
}
interface ToolList {
  tools: { name: string; mcp_info: { server_name: string } }[];
  error: string | null;
}

beforeAll(async () => {
  secure = startMockMcpServer(
    [
      { name: "whoami", run: (_args, headers) => text(`upstream saw ${headers.get("authorization")}`) },
      { name: "files.read", run: () => text("read it") },
      { name: "danger", run: () => text("dangerous") },
    ],
    { bearer: TOKEN },
  );
  open = startMockMcpServer([{ name: "ping", run: () => text("pong") }]);
  dataDir = dirname(await tmp.file("marker", ""));
  gateway = await startAccountsGateway({ mcp_servers: { cfg: { url: open.url, transport: "http" } } }, { dataDir, env: { SWITCHBOARD_ENCRYPTION_KEY: ENCRYPTION_KEY } });
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await gateway.stop();
  await secure.stop();
  await open.stop();
});

async function connect(key: string = TEST_MASTER_KEY): Promise<Client> {
  const client = new Client({ name: "test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.origin}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
  clients.push(client);
  return client;
}
const names = async (client: Client) => (await client.listTools()).tools.map((tool) => tool.name).sort();
const textOf = (result: unknown) => ((result as { content: { text: string }[] }).content[0] as { text: string }).text;

async function newKey(body: Record<string, unknown> = {}): Promise<string> {
  const answer = await gateway.admin<{ key: string }>("POST", "/key/generate", body);
  expect(answer.status).toBe(200);
  return answer.body.key;
}

/** PUT is not among the harness's methods: raw fetch with the master key. */
async function put<T>(path: string, body: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${gateway.origin}${path}`, { method: "PUT", headers: { authorization: `Bearer ${TEST_MASTER_KEY}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as T };
}

/** The mocks listen on loopback, which the SSRF rule refuses unless the server allows it. */
const LOCAL = { allow_private_hosts: ["127.0.0.1"] };
const secureBody = (name: string, extra: Record<string, unknown> = {}) => ({
  ...LOCAL,
  server_name: name,
  url: secure.url,
  transport: "http",
  auth_type: "bearer_token",
  credentials: { auth_value: TOKEN },
  ...extra,
});

describe("/v1/mcp/server: MCP servers managed at run time", () => {
  test("POST stores a server (credentials sealed, never answered) and /mcp serves its tools at once, with its bearer upstream", async () => {
    const client = await connect();
    expect(await names(client)).toEqual(["cfg-ping"]);
    const created = await gateway.admin<ServerJson>("POST", "/v1/mcp/server", secureBody("secure", { static_headers: { "X-Extra": HEADER_SECRET }, mcp_info: { logo: "x" } }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ server_name: "secure", url: secure.url, transport: "http", auth_type: "bearer_token", db_server: true });
    expect(created.body.warnings?.join(" ")).toContain("mcp_info");
    expect(JSON.stringify(created.body)).not.toContain(TOKEN);
    expect(JSON.stringify(created.body)).not.toContain(HEADER_SECRET);
    // The same SDK client, no restart: the new server's tools are there, and its credential reaches it.
    expect(await names(client)).toEqual(["cfg-ping", "secure-danger", "secure-files_read", "secure-whoami"]);
    expect(textOf(await client.callTool({ name: "secure-whoami", arguments: {} }))).toBe(`upstream saw Bearer ${TOKEN}`);

    const db = new Database(join(dataDir, "switchboard.db"), { readonly: true });
    const row = db.query<Record<string, unknown>, [string]>("SELECT * FROM mcp_servers WHERE server_id = ?").get(created.body.server_id);
    db.close();
    expect(JSON.stringify(row)).not.toContain(TOKEN);
    expect(JSON.stringify(row)).not.toContain(HEADER_SECRET);
    expect(String(row?.sealed_secrets)).toStartWith("v1.");

    for (const answer of [await gateway.admin("GET", "/v1/mcp/server"), await gateway.admin("GET", `/v1/mcp/server/${created.body.server_id}`)]) {
      expect(answer.status).toBe(200);
      expect(JSON.stringify(answer.body)).not.toContain(TOKEN);
      expect(JSON.stringify(answer.body)).not.toContain(HEADER_SECRET);
    }
  });

  test("GET lists the config file's servers (read-only) and the stored ones; info by id; an unknown id is a 404", async () => {
    const listed = await gateway.admin<ServerJson[]>("GET", "/v1/mcp/server");
    expect(listed.body.map((s) => [s.server_name, s.db_server])).toEqual([
      ["cfg", false],
      ["secure", true],
    ]);
    const info = await gateway.admin<ServerJson>("GET", "/v1/mcp/server/cfg");
    expect(info.body).toMatchObject({ server_id: "cfg", url: open.url, db_server: false });
    const missing = await gateway.admin<ErrorBody>("GET", "/v1/mcp/server/nope");
    expect(missing.status).toBe(404);
  });

  test("PUT changes the fields sent and keeps the stored credentials; the config file's servers are read-only", async () => {
    const [stored] = (await gateway.admin<ServerJson[]>("GET", "/v1/mcp/server")).body.filter((s) => s.db_server);
    const changed = await put<ServerJson>("/v1/mcp/server", { server_id: stored?.server_id, allowed_tools: ["whoami"] });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ allowed_tools: ["whoami"], auth_type: "bearer_token", url: secure.url });
    const client = await connect();
    expect(await names(client)).toEqual(["cfg-ping", "secure-whoami"]);
    expect(textOf(await client.callTool({ name: "secure-whoami", arguments: {} }))).toBe(`upstream saw Bearer ${TOKEN}`);

    const readOnly = await put<ErrorBody>("/v1/mcp/server", { server_id: "cfg", allowed_tools: ["ping"] });
    expect(readOnly.status).toBe(400);
    expect(readOnly.body.error.message).toContain("config file");
    const deleteConfig = await gateway.admin<ErrorBody>("DELETE", "/v1/mcp/server/cfg");
    expect(deleteConfig.status).toBe(400);
    expect(deleteConfig.body.error.message).toContain("config file");
  });

  test("refused: stdio (transport or command), spec_path, oauth2 without its client credentials, a name clashing with another server's, an unknown field", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ server_name: "s1", transport: "stdio", command: "npx", args: ["x"] }, "command"],
      [{ server_name: "s1", transport: "stdio", url: open.url }, "transport"],
      [{ server_name: "s1", url: open.url, command: "npx" }, "command"],
      [{ server_name: "s1", url: open.url, spec_path: "/etc/passwd" }, "spec_path"],
      [{ server_name: "s1", url: open.url, auth_type: "oauth2" }, "auth_type"],
      [{ server_name: "cfg", url: open.url }, "server_name"],
      [{ server_name: "cfg-two", url: open.url }, "server_name"],
      [{ server_name: "secure", url: open.url }, "server_name"],
      [{ server_name: "s1", url: open.url, credentials: { auth_value: "x" } }, "auth_type"],
      [{ server_name: "s1", url: open.url, nonsense: true }, "nonsense"],
    ];
    for (const [body, param] of cases) {
      const answer = await gateway.admin<ErrorBody>("POST", "/v1/mcp/server", body);
      expect(`${JSON.stringify(body)}: ${answer.status} ${answer.body.error?.param}`).toBe(`${JSON.stringify(body)}: 400 ${param}`);
    }
    // LiteLLM clients send the stdio fields empty: that is not a stdio server.
    const empty = await gateway.admin<ServerJson>("POST", "/v1/mcp/server", { ...LOCAL, server_name: "plain", url: open.url, transport: "http", command: null, args: [], env: {} });
    expect(empty.status).toBe(201);
    expect((await gateway.admin("DELETE", `/v1/mcp/server/${empty.body.server_id}`)).status).toBe(202);
  });

  test("without an encryption key, credentials are refused (a server without any is stored)", async () => {
    const other = await startAccountsGateway({}, { dataDir: join(dataDir, "plain") });
    try {
      const refused = await other.admin<ErrorBody>("POST", "/v1/mcp/server", secureBody("secure"));
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toContain("SWITCHBOARD_ENCRYPTION_KEY");
      expect((await other.admin("POST", "/v1/mcp/server", { ...LOCAL, server_name: "open", url: open.url, transport: "http" })).status).toBe(201);
    } finally {
      await other.stop();
    }
  });
});

describe("/mcp-rest: tools of a server over REST, with the caller's key", () => {
  test("tools/list names a server's allowed tools as /mcp does, for any key that may use it; others get 403", async () => {
    const [stored] = (await gateway.admin<ServerJson[]>("GET", "/v1/mcp/server")).body.filter((s) => s.db_server);
    const key = await newKey();
    const listed = await gateway.admin<ToolList>("GET", `/mcp-rest/tools/list?server_id=${stored?.server_id}`, undefined, key);
    expect(listed.status).toBe(200);
    expect(listed.body.tools.map((t) => [t.name, t.mcp_info.server_name])).toEqual([["secure-whoami", "secure"]]);
    const everything = await gateway.admin<ToolList>("GET", "/mcp-rest/tools/list", undefined, key);
    expect(everything.body.tools.map((t) => t.name).sort()).toEqual(["cfg-ping", "secure-whoami"]);

    const narrow = await newKey({ metadata: { mcp_servers: ["cfg"] } });
    expect((await gateway.admin("GET", `/mcp-rest/tools/list?server_id=${stored?.server_id}`, undefined, narrow)).status).toBe(403);
    expect((await gateway.admin<ToolList>("GET", "/mcp-rest/tools/list", undefined, narrow)).body.tools.map((t) => t.name)).toEqual(["cfg-ping"]);
    expect((await gateway.admin("GET", "/mcp-rest/tools/list?server_id=nope", undefined, key)).status).toBe(404);
  });

  test("tools/call runs a tool through the gateway (its credential upstream), refusing servers and tools the key may not use", async () => {
    const key = await newKey();
    const called = await gateway.admin<{ content: { text: string }[] }>("POST", "/mcp-rest/tools/call", { name: "secure-whoami", arguments: {} }, key);
    expect(called.status).toBe(200);
    expect(called.body.content[0]?.text).toBe(`upstream saw Bearer ${TOKEN}`);
    // The gateway's own tools/call: the call is a ledger row of the key, as over /mcp.
    const rows = await gateway.admin<{ call_type: string; model: string }[]>("GET", `/spend/logs?api_key=${encodeURIComponent(key)}`);
    expect(rows.body.map((row) => [row.call_type, row.model])).toEqual([["mcp_tool_call", "secure-whoami"]]);
    const notAllowed = await gateway.admin<ErrorBody>("POST", "/mcp-rest/tools/call", { name: "secure-danger", arguments: {} }, key);
    expect(notAllowed.status).toBe(403);
    const narrow = await newKey({ metadata: { mcp_servers: ["cfg"] } });
    expect((await gateway.admin("POST", "/mcp-rest/tools/call", { name: "secure-whoami" }, narrow)).status).toBe(403);
    expect((await gateway.admin<{ content: { text: string }[] }>("POST", "/mcp-rest/tools/call", { name: "cfg-ping", server_id: "cfg" }, narrow)).body.content[0]?.text).toBe("pong");
    expect((await gateway.admin("POST", "/mcp-rest/tools/call", { name: "nope-x" }, key)).status).toBe(400);
  });
});

describe("/mcp-rest/test/tools/list: preview a server's tools before saving it", () => {
  test("a stored server's id and no credentials: its stored bearer is used; every tool is listed, allowed or not, named as registered", async () => {
    const [stored] = (await gateway.admin<ServerJson[]>("GET", "/v1/mcp/server")).body.filter((s) => s.db_server);
    const seen = secure.seen.length;
    const preview = await gateway.admin<ToolList>("POST", "/mcp-rest/test/tools/list", { server_id: stored?.server_id, server_name: "secure", url: secure.url, transport: "http", auth_type: "bearer_token" });
    expect(preview.status).toBe(200);
    expect(preview.body.error).toBeNull();
    expect(preview.body.tools.map((t) => t.name)).toEqual(["secure-whoami", "secure-files_read", "secure-danger"]);
    expect(secure.seen.slice(seen).every((h) => h.get("authorization") === `Bearer ${TOKEN}`)).toBe(true);
  });

  test("explicit credentials win over the stored ones; a new server with none calls without", async () => {
    const [stored] = (await gateway.admin<ServerJson[]>("GET", "/v1/mcp/server")).body.filter((s) => s.db_server);
    const wrong = await gateway.admin<ToolList>("POST", "/mcp-rest/test/tools/list", { ...secureBody("secure", { server_id: stored?.server_id }), credentials: { auth_value: "wrong-token" } });
    expect(wrong.body.tools).toEqual([]);
    expect(wrong.body.error).toContain("secure");
    expect(secure.seen.at(-1)?.get("authorization")).toBe("Bearer wrong-token");

    const seen = secure.seen.length;
    const none = await gateway.admin<ToolList>("POST", "/mcp-rest/test/tools/list", { ...LOCAL, server_name: "fresh", url: secure.url, transport: "http" });
    expect(none.body.tools).toEqual([]);
    expect(none.body.error).not.toBeNull();
    expect(secure.seen.slice(seen).map((h) => h.get("authorization"))).not.toContain(`Bearer ${TOKEN}`);
    expect(secure.seen.length).toBeGreaterThan(seen);

    const explicit = await gateway.admin<ToolList>("POST", "/mcp-rest/test/tools/list", secureBody("fresh"));
    expect(explicit.body.tools.map((t) => t.name)).toEqual(["fresh-whoami", "fresh-files_read", "fresh-danger"]);
  });

  test("stored credentials go only to the stored server's origin; admins only", async () => {
    const [stored] = (await gateway.admin<ServerJson[]>("GET", "/v1/mcp/server")).body.filter((s) => s.db_server);
    const seen = open.seen.length;
    const elsewhere = await gateway.admin<ErrorBody>("POST", "/mcp-rest/test/tools/list", { server_id: stored?.server_id, server_name: "secure", url: open.url, transport: "http" });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.error.param).toBe("url");
    expect(open.seen.length).toBe(seen);
    expect((await gateway.admin("POST", "/mcp-rest/test/tools/list", secureBody("fresh"), await newKey())).status).toBe(403);
  });
});

describe("SSRF: internal addresses are reached only where the admin allowed the host", () => {
  test("a loopback, private, link-local or metadata url (or a name resolving to one) is a 400, and nothing is connected to", async () => {
    const canary = startMockMcpServer([{ name: "ping", run: () => text("pong") }]);
    try {
      const urls = [canary.url, canary.url.replace("127.0.0.1", "localhost"), canary.url.replace("127.0.0.1", "[::ffff:127.0.0.1]"), "http://169.254.169.254/mcp", "http://10.1.2.3/mcp", "http://[fd00:ec2::254]/mcp"];
      for (const url of urls) {
        for (const path of ["/v1/mcp/server", "/mcp-rest/test/tools/list"]) {
          const answer = await gateway.admin<ErrorBody>("POST", path, { server_name: "canary", url, transport: "http" });
          expect(`${path} ${url}: ${answer.status} ${answer.body.error?.param}`).toBe(`${path} ${url}: 400 url`);
        }
      }
      const changed = await put<ErrorBody>("/v1/mcp/server", { server_id: (await gateway.admin<ServerJson[]>("GET", "/v1/mcp/server")).body.find((s) => s.db_server)?.server_id, allow_private_hosts: null });
      expect(changed.status).toBe(400);
      expect(changed.body.error.message).toContain("allow_private_hosts");
      expect(canary.seen).toEqual([]);
      // Allowed by name: reached.
      const allowed = await gateway.admin<ToolList>("POST", "/mcp-rest/test/tools/list", { server_name: "canary", url: canary.url, transport: "http", ...LOCAL });
      expect(allowed.body.tools.map((t) => t.name)).toEqual(["canary-ping"]);
    } finally {
      await canary.stop();
    }
  });
});

describe("changes from another process", () => {
  test("a server stored by another process is served after the next poll; DELETE stops serving at once", async () => {
    const store = await openStore({ dataDir });
    try {
      await store.mcpServers.insert({ serverId: "elsewhere", serverName: "elsewhere", settings: { server_name: "elsewhere", url: open.url, transport: "http" } });
    } finally {
      await store.close();
    }
    const client = await connect();
    let found: string[] = [];
    for (let i = 0; i < 40 && !found.includes("elsewhere-ping"); i++) {
      await Bun.sleep(100);
      found = await names(client);
    }
    expect(found).toContain("elsewhere-ping");
    expect((await gateway.admin("DELETE", "/v1/mcp/server/elsewhere")).status).toBe(202);
    expect(await names(client)).not.toContain("elsewhere-ping");
    expect((await gateway.admin("DELETE", "/v1/mcp/server/elsewhere")).status).toBe(404);
  });
});

describe("OAuth2 client credentials through the management API", () => {
  const CLIENT_SECRET = "api-client-secret-3e8f";
  let tokens: MockTokenEndpoint;
  let guarded: MockMcpServer;
  const oauthBody = (extra: Record<string, unknown> = {}) => ({
    ...LOCAL,
    server_name: "oauthy",
    url: guarded.url,
    transport: "http",
    auth_type: "oauth2",
    token_url: tokens.url,
    credentials: { client_id: "api-client", client_secret: CLIENT_SECRET, scopes: ["mcp"] },
    authorization_url: "https://auth.example/authorize",
    ...extra,
  });

  beforeAll(() => {
    tokens = startMockTokenEndpoint("api-client", CLIENT_SECRET);
    guarded = startMockMcpServer([{ name: "whoami", run: (_args, headers) => text(`upstream saw ${headers.get("authorization")}`) }], { bearer: (token) => tokens.valid.has(token) });
  });
  afterAll(async () => {
    await guarded.stop();
    await tokens.stop();
  });

  test("POST stores client_secret sealed (never answered) and /mcp calls the server with a bearer from its token_url", async () => {
    const created = await gateway.admin<ServerJson & { token_url: string }>("POST", "/v1/mcp/server", oauthBody());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ auth_type: "oauth2", token_url: tokens.url });
    expect(created.body.warnings?.join(" ")).toContain("authorization_url");
    const db = new Database(join(dataDir, "switchboard.db"), { readonly: true });
    const row = db.query<Record<string, unknown>, [string]>("SELECT * FROM mcp_servers WHERE server_id = ?").get(created.body.server_id);
    db.close();
    expect(JSON.stringify(row)).not.toContain(CLIENT_SECRET);
    expect(String(row?.sealed_secrets)).toStartWith("v1.");
    const listed = await gateway.admin("GET", `/v1/mcp/server/${created.body.server_id}`);
    expect(JSON.stringify(listed.body)).not.toContain(CLIENT_SECRET);

    const client = await connect();
    expect(await names(client)).toContain("oauthy-whoami");
    expect(textOf(await client.callTool({ name: "oauthy-whoami", arguments: {} }))).toMatch(/^upstream saw Bearer tok-\d+$/);
    expect(tokens.requests.at(-1)?.authorization).toBe(`Basic ${Buffer.from(`api-client:${CLIENT_SECRET}`).toString("base64")}`);
    expect(tokens.requests.at(-1)?.form.get("scope")).toBe("mcp");
  });

  test("the preview of a stored server_id inherits its client credentials; explicit ones win; another token_url does not get the stored secret", async () => {
    const stored = (await gateway.admin<ServerJson[]>("GET", "/v1/mcp/server")).body.find((s) => s.server_name === "oauthy");
    const before = tokens.requests.length;
    const inherited = await gateway.admin<ToolList>("POST", "/mcp-rest/test/tools/list", { server_id: stored?.server_id, server_name: "oauthy", url: guarded.url, transport: "http", auth_type: "oauth2" });
    expect(inherited.status).toBe(200);
    expect(inherited.body.error).toBeNull();
    expect(inherited.body.tools.map((t) => t.name)).toEqual(["oauthy-whoami"]);
    expect(tokens.requests.slice(before).map((r) => r.authorization)).toEqual([`Basic ${Buffer.from(`api-client:${CLIENT_SECRET}`).toString("base64")}`]);

    const wrong = await gateway.admin<ToolList>("POST", "/mcp-rest/test/tools/list", oauthBody({ server_id: stored?.server_id, credentials: { client_id: "api-client", client_secret: "wrong-secret-0000" } }));
    expect(wrong.body.tools).toEqual([]);
    expect(wrong.body.error).toContain("oauthy");
    expect(wrong.body.error).toContain("token endpoint refused");
    expect(wrong.body.error).not.toContain("wrong-secret-0000");
    expect(tokens.requests.at(-1)?.authorization).toBe(`Basic ${Buffer.from("api-client:wrong-secret-0000").toString("base64")}`);

    const elsewhere = await gateway.admin<ErrorBody>("POST", "/mcp-rest/test/tools/list", { server_id: stored?.server_id, server_name: "oauthy", url: guarded.url, token_url: `${tokens.url}-other`, ...LOCAL });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.error.param).toBe("token_url");
  });

  test("refused: oauth2 without client_secret or token_url, a token_url on a private host without allow_private_hosts", async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [oauthBody({ server_name: "o2", credentials: { client_id: "api-client" } }), "auth_type", "client_secret"],
      [oauthBody({ server_name: "o2", token_url: null }), "auth_type", "token_url"],
      [oauthBody({ server_name: "o2", allow_private_hosts: ["localhost"], url: "https://1.1.1.1/mcp" }), "token_url", "allow_private_hosts"],
    ];
    for (const [body, param, word] of cases) {
      const answer = await gateway.admin<ErrorBody>("POST", "/v1/mcp/server", body);
      expect(`${answer.status} ${answer.body.error?.param}`).toBe(`400 ${param}`);
      expect(answer.body.error.message).toContain(word);
      expect(JSON.stringify(answer.body)).not.toContain(CLIENT_SECRET);
    }
  });
});
