/**
 * stdio upstreams: MCP servers the gateway runs as child processes, from the config file only. The
 * child is an SDK server (test/support/mock-stdio-mcp.ts) run with this bun; the gateway is
 * reached through /mcp with the SDK client.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { MASTER_CALLER } from "../../src/auth/caller.ts";
import type { McpServerEntry } from "../../src/config/schema.ts";
import { McpGateway } from "../../src/mcp/gateway.ts";
import { Upstream } from "../../src/mcp/upstream.ts";
import { startAccountsGateway, TEST_MASTER_KEY, type AccountsGateway, type ErrorBody } from "../support/accounts.ts";
import { useTempDir } from "../support/temp-dir.ts";

const MOCK = join(import.meta.dir, "../support/mock-stdio-mcp.ts");
/** In the gateway's own environment (this process's): the child must not see it. */
const GATEWAY_SECRET_VAR = "SB_STDIO_TEST_GATEWAY_SECRET";
const GATEWAY_SECRET = "gateway-only-secret-8e1f";
/** Given to the child in its env, from the gateway's environment by reference. */
const CHILD_TOKEN = "child-token-3b7d9a";

const tmp = useTempDir("switchboard-mcp-stdio-");
let gateway: AccountsGateway;
const clients: Client[] = [];

const stdio = (env: Record<string, string> = {}, args: string[] = []): McpServerEntry => ({ transport: "stdio", command: process.execPath, args: [MOCK, ...args], env });

beforeAll(async () => {
  process.env[GATEWAY_SECRET_VAR] = GATEWAY_SECRET;
  gateway = await startAccountsGateway(
    { mcp_servers: { local: { ...stdio({ CHILD_TOKEN, PLAIN: "plain-value" }), disallowed_tools: ["stderr-never"] } } },
    { dataDir: dirname(await tmp.file("marker", "")) },
  );
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await gateway.stop();
  delete process.env[GATEWAY_SECRET_VAR];
});

async function connect(): Promise<Client> {
  const client = new Client({ name: "test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.origin}/mcp`), { requestInit: { headers: { authorization: `Bearer ${TEST_MASTER_KEY}` } } }));
  clients.push(client);
  return client;
}

const textOf = (result: unknown) => ((result as { content: { text: string }[] }).content[0] as { text: string }).text;
const call = async (client: Client, name: string, text = "") => textOf(await client.callTool({ name, arguments: { text } }));

/** Whether a process with this pid exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("a stdio MCP server of the config file, through /mcp", () => {
  test("its tools are listed <server>-<tool> and called; one process serves every caller", async () => {
    const first = await connect();
    const tools = (await first.listTools()).tools.map((tool) => tool.name).sort();
    expect(tools).toEqual(["local-crash", "local-echo", "local-env", "local-hang", "local-pid", "local-stderr"]);
    expect(await call(first, "local-echo", "hi")).toBe("echo: hi");
    const second = await connect();
    expect(await call(second, "local-pid")).toBe(await call(first, "local-pid"));
  });

  test("the child sees its configured env and the safe set, never the rest of the gateway's environment", async () => {
    const client = await connect();
    expect(await call(client, "local-env", "CHILD_TOKEN")).toBe(CHILD_TOKEN);
    expect(await call(client, "local-env", "PLAIN")).toBe("plain-value");
    expect(await call(client, "local-env", "PATH")).toBe(process.env.PATH ?? "(unset)");
    expect(await call(client, "local-env", GATEWAY_SECRET_VAR)).toBe("(unset)");
  });

  test("its stderr is logged line by line, with its env values scrubbed", async () => {
    const client = await connect();
    expect(await call(client, "local-stderr", `first line\nthe token is ${CHILD_TOKEN}`)).toBe("written");
    const deadline = Date.now() + 5_000;
    const lines = () => gateway.loggedErrors.filter((entry) => entry.message === "MCP server 'local' stderr").map((entry) => (entry.error as Error).message);
    while (!lines().includes("the token is ***") && Date.now() < deadline) await Bun.sleep(10);
    expect(lines()).toContain("mock stdio MCP server ready");
    expect(lines()).toContain("first line");
    expect(lines()).toContain("the token is ***");
    expect(JSON.stringify(gateway.loggedErrors.map((entry) => (entry.error as Error).message))).not.toContain(CHILD_TOKEN);
  });

  test("a crash of the child is an MCP error naming the server; the next call starts it again", async () => {
    const client = await connect();
    const before = Number(await call(client, "local-pid"));
    const crash = await client.callTool({ name: "local-crash", arguments: {} }).then(
      () => "answered",
      (error: Error) => error.message,
    );
    expect(crash).toContain("MCP server 'local' (a command the gateway runs) exited or could not be started");
    const after = Number(await call(client, "local-pid"));
    expect(after).not.toBe(before);
    expect(alive(before)).toBe(false);
    expect(gateway.loggedErrors.some((entry) => entry.message === "MCP server 'local'" && (entry.error as Error).message.startsWith("its process exited"))).toBe(true);
  });

  test("the management API shows it (transport stdio, no command nor env) and lists its tools, but never previews it nor accepts a stdio server", async () => {
    const listed = await gateway.admin<{ server_id: string; transport: string; url: string | null }[]>("GET", "/v1/mcp/server");
    const local = listed.body.find((server) => server.server_id === "local");
    expect(local).toMatchObject({ transport: "stdio", url: null });
    expect(JSON.stringify(local)).not.toContain(CHILD_TOKEN);
    expect(JSON.stringify(local)).not.toContain(MOCK);
    const tools = await gateway.admin<{ tools: { name: string }[] }>("GET", "/mcp-rest/tools/list?server_id=local");
    expect(tools.body.tools.map((tool) => tool.name)).toContain("local-echo");
    const preview = await gateway.admin<ErrorBody>("POST", "/mcp-rest/test/tools/list", { server_id: "local" });
    expect(preview.status).toBe(400);
    expect(preview.body.error.param).toBe("server_id");
    expect(preview.body.error.message).toContain("stdio server of the config file");
    for (const body of [
      { server_name: "mine", transport: "stdio", command: process.execPath, args: [MOCK] },
      { server_name: "mine", url: "https://mcp.example.com/mcp", command: process.execPath },
    ]) {
      const refused = await gateway.admin<ErrorBody>("POST", "/v1/mcp/server", body);
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toContain("not accepted from the management API");
    }
  });
});

describe("a stdio server's process lifecycle", () => {
  test("close() stops the process", async () => {
    const upstream = new Upstream("s", stdio());
    const pid = Number(textOf(await upstream.callTool("pid", {})));
    expect(alive(pid)).toBe(true);
    await upstream.close();
    expect(alive(pid)).toBe(false);
  });

  test("the gateway's close() stops it, and so does setServers removing or changing it", async () => {
    const request = () => new Request("http://gateway/mcp", { method: "POST" });
    const pidOf = async (mcp: McpGateway, name: string) => Number(textOf(await mcp.callTool(request(), MASTER_CALLER, undefined, `${name}-pid`, {})));
    const mcp = new McpGateway({ a: stdio(), b: stdio(), c: stdio() });
    const [a, b, c] = [await pidOf(mcp, "a"), await pidOf(mcp, "b"), await pidOf(mcp, "c")];
    await mcp.setServers({ a: stdio(), b: stdio({ CHANGED: "1" }) });
    expect([alive(a), alive(b), alive(c)]).toEqual([true, false, false]);
    const changed = await pidOf(mcp, "b");
    expect(changed).not.toBe(b);
    expect(await pidOf(mcp, "a")).toBe(a);
    await mcp.close();
    expect([alive(a), alive(changed)]).toEqual([false, false]);
  });

  test("a call the process does not answer in time stops it; the next use starts it again", async () => {
    const upstream = new Upstream("slow", stdio());
    const pid = Number(textOf(await upstream.callTool("pid", {})));
    const timedOut = await upstream.callTool("hang", {}, { timeout: 50 }).then(
      () => "answered",
      (error: Error) => error.message,
    );
    expect(timedOut).toBe("MCP server 'slow' (a command the gateway runs) did not answer in time; its process was stopped and is started again on the next use.");
    expect(alive(pid)).toBe(false);
    expect(Number(textOf(await upstream.callTool("pid", {})))).not.toBe(pid);
    await upstream.close();
  });

  test("a command that keeps exiting is started again at once, then only after a growing wait", async () => {
    const starts = await tmp.file("starts", "");
    let clock = 1_000_000;
    const logged: string[] = [];
    const upstream = new Upstream("flaky", stdio({ MOCK_STARTS_FILE: starts, MOCK_EXIT_AT_START: "1" }), { now: () => clock, logError: (message, error) => logged.push(`${message}: ${(error as Error).message}`) });
    const attempt = () => upstream.listTools().then(() => "listed", (error: Error) => error.message);
    const startCount = async () => (await readFile(starts, "utf8")).split("\n").filter(Boolean).length;
    expect(await attempt()).toContain("exited or could not be started");
    expect(await attempt()).toContain("exited or could not be started");
    expect(await startCount()).toBe(2);
    expect(await attempt()).toContain("keeps exiting; it is started again in 1 s");
    expect(await startCount()).toBe(2);
    clock += 1_000;
    expect(await attempt()).toContain("exited or could not be started");
    expect(await attempt()).toContain("started again in 2 s");
    expect(await startCount()).toBe(3);
    expect(logged.filter((line) => line.startsWith("MCP server 'flaky': its command could not be started"))).toHaveLength(3);
    await upstream.close();
  });

  test("a command that does not exist is an MCP error, logged with the reason", async () => {
    const logged: string[] = [];
    const upstream = new Upstream("missing", { transport: "stdio", command: "/nonexistent/switchboard-test-command" }, { logError: (message, error) => logged.push(`${message}: ${(error as Error).message}`) });
    const message = await upstream.listTools().then(() => "listed", (error: Error) => error.message);
    expect(message).toBe("MCP server 'missing' (a command the gateway runs) exited or could not be started; try again, or ask an administrator to check its command and the gateway's log.");
    expect(logged.join("\n")).toContain("ENOENT");
  });
});
