/**
 * What `config check` and start-up say about prices: each deployment's price and its source, one
 * warning per deployment without a price, and a price file (`pricing.file`,
 * SWITCHBOARD_PRICES_FILE) in genai-prices' format read at start instead of a new binary.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dir, "../..");
const dir = mkdtempSync(join(tmpdir(), "switchboard-cli-prices-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const baseEnv = { PATH: process.env.PATH ?? "/usr/bin:/bin", NO_COLOR: "1", SWITCHBOARD_DATA_DIR: dir };

async function write(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await Bun.write(path, text);
  return path;
}

async function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([process.execPath, "src/main.ts", ...args], { cwd: root, stdout: "pipe", stderr: "pipe", env: { ...baseEnv, ...env } });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

const LITELLM = `model_list:
  - model_name: house-model
    litellm_params:
      model: openai_compatible/house-7b
      api_base: http://127.0.0.1:9/v1
      input_cost_per_token: 0.000001
      output_cost_per_token: 0.000002
      input_cost_per_token_above_200k_tokens: 0.000002
`;

const UNPRICED = `models:
  - model_name: local
    model: openai_compatible/house-7b
    api_base: http://127.0.0.1:9/v1
  - model_name: gpt-4o
    model: openai/gpt-4o
    api_key: sk-fake
settings: { env_provider_models: false }
`;

describe("config check and prices", () => {
  test("LiteLLM per-token prices without token limits: the deployment's price is shown as applied, no warning", async () => {
    const path = await write("litellm.yaml", LITELLM);
    const { code, stdout, stderr } = await run(["config", "check", path]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    // A tier's rates not given are the base rates (cache reads and writes: the base input rate here).
    expect(stdout).toContain("house-model (openai_compatible/house-7b): $1 in, $2 out per 1M tokens; past 200000 input tokens $2 in, $2 out, $1 cache read, $1 cache write (deployment price)");
    // A LiteLLM file serves its model_list only: no mock models.
    expect(stdout).not.toContain("mock/");
  });

  test("a deployment without a price: one warning naming it and the setting that fixes it; the others show their source", async () => {
    const path = await write("unpriced.yaml", UNPRICED);
    const { code, stdout, stderr } = await run(["config", "check", path]);
    expect(code).toBe(0);
    const warnings = stderr.trim().split("\n");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("warning: deployment 'local' (openai_compatible/house-7b) has no price");
    expect(warnings[0]).toContain("price: { input, output }");
    expect(warnings[0]).toContain("input_cost_per_token");
    expect(stdout).toContain("local (openai_compatible/house-7b): no price");
    expect(stdout).toContain("gpt-4o (openai/gpt-4o): $2.5 in, $10 out, $1.25 cache read per 1M tokens (genai-prices openai/gpt-4o)");
  });

  test("the server warns once per unpriced deployment at start, and names its price source", async () => {
    const path = await write("serve.yaml", UNPRICED);
    const proc = Bun.spawn([process.execPath, "src/main.ts", "--config", path, "--port", "0"], { cwd: root, stdin: "ignore", stdout: "pipe", stderr: "pipe", env: baseEnv });
    const reader = proc.stderr.getReader();
    const decoder = new TextDecoder();
    let log = "";
    const deadline = Date.now() + 10_000;
    while (!log.includes("listening on") && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      log += decoder.decode(value, { stream: true });
    }
    proc.kill("SIGKILL");
    await proc.exited;
    expect(log).toContain("listening on");
    expect(log.match(/has no price/g)).toHaveLength(1);
    expect(log).toContain("deployment 'local' (openai_compatible/house-7b) has no price");
    expect(log).toMatch(/prices genai-prices \d+\.\d+\.\d+/);
  });
});

describe("a newer price file without a new binary", () => {
  const FILE = JSON.stringify([
    {
      id: "openai",
      name: "OpenAI",
      api_pattern: "https://api\\.openai\\.com",
      models: [
        { id: "gpt-4o", match: { equals: "gpt-4o" }, prices: { input_mtok: 2, cache_read_mtok: 1, output_mtok: 8 } },
        { id: "gpt-9", match: { starts_with: "gpt-9" }, prices: { input_mtok: 0.0375, output_mtok: 0.15 } },
      ],
    },
  ]);
  const CONFIG = `models:
  - model_name: gpt-4o
    model: openai/gpt-4o
    api_key: sk-fake
  - model_name: gpt-9
    model: openai/gpt-9-preview
    api_key: sk-fake
  - model_name: mini
    model: openai/gpt-4o-mini
    api_key: sk-fake
settings: { env_provider_models: false, mock_models: false }
`;

  test("SWITCHBOARD_PRICES_FILE: its rows win, models it lacks keep the embedded prices", async () => {
    const prices = await write("prices.json", FILE);
    const path = await write("file.yaml", CONFIG);
    const { code, stdout, stderr } = await run(["config", "check", path], { SWITCHBOARD_PRICES_FILE: prices });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain(`prices (${prices}, then genai-prices `);
    expect(stdout).toContain(`gpt-4o (openai/gpt-4o): $2 in, $8 out, $1 cache read per 1M tokens (genai-prices openai/gpt-4o)`);
    expect(stdout).toContain("gpt-9 (openai/gpt-9-preview): $0.0375 in, $0.15 out per 1M tokens");
    expect(stdout).toContain("mini (openai/gpt-4o-mini): $0.15 in, $0.6 out, $0.075 cache read per 1M tokens");
  });

  test("pricing.file in the config does the same; a file that is not in the format stops with its path", async () => {
    const prices = await write("prices-config.json", FILE);
    const path = await write("file-config.yaml", `${CONFIG}pricing:\n  file: ${prices}\n`);
    expect((await run(["config", "check", path])).stdout).toContain("gpt-9 (openai/gpt-9-preview): $0.0375 in");
    const bad = await write("bad.json", JSON.stringify({ providers: [] }));
    const broken = await write("broken.yaml", `${CONFIG}pricing:\n  file: ${bad}\n`);
    const { code, stderr } = await run(["config", "check", broken]);
    expect(code).toBe(1);
    expect(stderr).toContain(`pricing.file: ${bad}: expected genai-prices' data.json format`);
    const missing = await run(["config", "check", path], { SWITCHBOARD_PRICES_FILE: join(dir, "nope.json") });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("cannot read the price file");
  });
});
