/**
 * A stdio MCP server under the real gateway process (`bun src/main.ts`): started from a LiteLLM
 * config file on first use, kept from the gateway's environment, its stderr in the gateway's log,
 * and stopped when the gateway is stopped with SIGTERM.
 */
import { afterAll, expect, test } from "bun:test";
import { dirname, join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { TEST_MASTER_KEY } from "../support/accounts.ts";
import { killAllStarted, spawnGateway } from "../support/gateway-process.ts";
import { useTempDir } from "../support/temp-dir.ts";

const MOCK = join(import.meta.dir, "../support/mock-stdio-mcp.ts");
const tmp = useTempDir("switchboard-mcp-stdio-process-");
afterAll(() => killAllStarted());

const textOf = (result: unknown) => ((result as { content: { text: string }[] }).content[0] as { text: string }).text;

test("the gateway process runs a LiteLLM file's stdio server with only its env, logs its stderr, and stops it on SIGTERM", async () => {
  const config = [
    "model_list: []",
    "mcp_servers:",
    "  local:",
    "    transport: stdio",
    `    command: ${JSON.stringify(process.execPath)}`,
    `    args: [${JSON.stringify(MOCK)}]`,
    "    env:",
    "      GIVEN: os.environ/STDIO_GIVEN",
    "",
  ].join("\n");
  const configPath = await tmp.file("config.yaml", config);
  const env = { SWITCHBOARD_MASTER_KEY: TEST_MASTER_KEY, STDIO_GIVEN: "given-value-41", OPENAI_API_KEY: "sk-gateway-only-provider-key" };
  const gateway = await spawnGateway(["--config", configPath, "--port", "0", "--data-dir", dirname(configPath)], env);
  const client = new Client({ name: "test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${gateway.port}/mcp`), { requestInit: { headers: { authorization: `Bearer ${TEST_MASTER_KEY}` } } }));
  const call = async (name: string, text = "") => textOf(await client.callTool({ name, arguments: { text } }));
  const pid = Number(await call("local-pid"));
  expect(await call("local-env", "GIVEN")).toBe("given-value-41");
  expect(await call("local-env", "OPENAI_API_KEY")).toBe("(unset)");
  expect(await call("local-env", "SWITCHBOARD_MASTER_KEY")).toBe("(unset)");
  expect(() => process.kill(pid, 0)).not.toThrow();
  await client.close();
  await gateway.stop();
  expect(() => process.kill(pid, 0)).toThrow();
  expect(gateway.stderr()).toContain("MCP server 'local' stderr: mock stdio MCP server ready");
  expect(gateway.stderr()).not.toContain("given-value-41");
});
