import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";
import { MOCK_MODELS } from "../../src/providers/mock/catalogue.ts";
import { useTempDir } from "../support/temp-dir.ts";

const root = resolve(import.meta.dir, "../..");
const bun = process.execPath;
const pkg = (await Bun.file(join(root, "package.json")).json()) as { version: string };

// Every spawned gateway keeps its database in a temp directory, never in the repository.
const dataDir = mkdtempSync(join(tmpdir(), "switchboard-cli-data-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
/** A clean environment: no provider keys, no SWITCHBOARD_* from the developer's shell. */
const baseEnv = (): Record<string, string> => ({ PATH: process.env.PATH ?? "/usr/bin:/bin", NO_COLOR: "1", SWITCHBOARD_DATA_DIR: dataDir });
const STRONG_MASTER = "sk-cli-test-Qm9vYmFyLWJhei1xdXV4LTAxMjM0NTY3ODk";
// A service account whose key is never used: loading only checks the document's fields.
const serviceAccount = join(dataDir, "service-account.json");
await Bun.write(serviceAccount, JSON.stringify({ type: "service_account", project_id: "p", private_key_id: "k1", private_key: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", client_email: "sa@p.iam.gserviceaccount.com" }));
const exampleEnv = {
  OPENAI_API_KEY: "sk-fake-openai",
  ANTHROPIC_API_KEY: "sk-ant-fake",
  GROQ_API_KEY: "gsk-fake",
  GEMINI_API_KEY: "gm-fake",
  GOOGLE_APPLICATION_CREDENTIALS: serviceAccount,
  AWS_ACCESS_KEY_ID: "AKIAFAKE",
  AWS_SECRET_ACCESS_KEY: "fake-secret",
  AWS_SESSION_TOKEN: "fake-session",
  AWS_REGION: "us-east-1",
  AZURE_API_KEY: "az-fake",
  GITHUB_TOKEN: "ghp-fake",
  COHERE_API_KEY: "co-fake",
  SWITCHBOARD_MASTER_KEY: STRONG_MASTER,
};

async function run(args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([bun, "src/main.ts", ...args], { cwd: root, stdout: "pipe", stderr: "pipe", env: { ...baseEnv(), ...extraEnv } });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

const { file: fileWith } = useTempDir("switchboard-cli-");

describe("informational commands", () => {
  test("--version prints the package.json version", async () => {
    const { code, stdout } = await run(["--version"]);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(pkg.version);
  });

  test("--help documents config check and every mock model", async () => {
    const { code, stdout } = await run(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("config check");
    expect(stdout).toContain(`switchboard ${pkg.version}`);
    for (const model of MOCK_MODELS) expect(stdout).toContain(model.id);
  });
});

describe("config check", () => {
  test("config/switchboard.yaml is ok with its variables set", async () => {
    const { code, stdout, stderr } = await run(["config", "check", "config/switchboard.yaml"], exampleEnv);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toStartWith("config/switchboard.yaml: ok (switchboard format, ");
  });

  test("config/switchboard.yaml fails without them, naming the variables", async () => {
    const { code, stderr } = await run(["config", "check", "config/switchboard.yaml"]);
    expect(code).not.toBe(0);
    expect(stderr).toContain("auth.master_key: environment variable SWITCHBOARD_MASTER_KEY is not set");
    expect(stderr).toContain("models[0].api_key: environment variable OPENAI_API_KEY is not set");
  });

  test("config/litellm.yaml is ok and prints its warnings", async () => {
    const { code, stdout, stderr } = await run(["config", "check", "config/litellm.yaml"], { ...exampleEnv, LITELLM_MASTER_KEY: "sk-fake" });
    expect(code).toBe(0);
    expect(stdout).toContain("ok (litellm format, ");
    expect(stderr).toContain("warning: general_settings.database_url: Switchboard keeps keys, teams, users and spend in SQLite");
    expect(stderr).toContain("warning: litellm_settings.success_callback: langfuse not supported");
    // exampleEnv sets SWITCHBOARD_MASTER_KEY, so the file's LITELLM_MASTER_KEY is not the one used.
    expect(stderr).toContain("warning: general_settings.master_key: not used: SWITCHBOARD_MASTER_KEY is set and wins");
    expect(stderr.trim().split("\n")).toHaveLength(3);
  });

  test("a file with two errors exits non-zero and names both paths", async () => {
    const path = await fileWith("two-errors.yaml", "server:\n  hots: 0.0.0.0\n  port: eighty\n");
    const { code, stdout, stderr } = await run(["config", "check", path]);
    expect(code).toBe(1);
    expect(stdout).not.toContain("ok");
    expect(stderr).toContain(`${path}: 2 problems`);
    expect(stderr).toContain("server.hots: unknown key; did you mean `host`?");
    expect(stderr).toContain('server.port: expected an integer, got "eighty"');
  });

  test("model-table problems fail the check too", async () => {
    const path = await fileWith("no-key.yaml", "models:\n  - model_name: x\n    model: groq/llama\n");
    const { code, stderr } = await run(["config", "check", path]);
    expect(code).toBe(1);
    expect(stderr).toContain("models[0]: Groq needs an API key; set api_key: os.environ/GROQ_API_KEY");
  });

  test("--print shows references as written and inline secrets as ***", async () => {
    const path = await fileWith(
      "inline.yaml",
      [
        "auth:",
        "  master_key: inline-master-4f1c9a",
        "models:",
        "  - model_name: a",
        "    model: openai/gpt-4o",
        "    api_key: sk-inline-secret-7d2e",
        "    headers:",
        "      Authorization: Bearer hdr-secret-99",
        "  - model_name: b",
        "    model: openai/gpt-4o-mini",
        "    api_key: os.environ/OPENAI_API_KEY",
        "",
      ].join("\n"),
    );
    const { code, stdout } = await run(["config", "check", path, "--print"], { OPENAI_API_KEY: "sk-env-secret-31ab" });
    expect(code).toBe(0);
    expect(stdout).not.toContain("inline-master-4f1c9a");
    expect(stdout).not.toContain("sk-inline-secret-7d2e");
    expect(stdout).not.toContain("hdr-secret-99");
    expect(stdout).not.toContain("sk-env-secret-31ab");
    expect(stdout).toContain("os.environ/OPENAI_API_KEY");
    expect(stdout.match(/\*\*\*/g)).toHaveLength(3);
    expect(stdout).toContain("model: openai/gpt-4o-mini");
  });

  test("--print shows no inline cloud credential or tracing header (AWS keys, session token, Vertex service account)", async () => {
    const path = await fileWith(
      "cloud-inline.yaml",
      [
        "models:",
        "  - model_name: br",
        "    model: bedrock/anthropic.claude-3-haiku-20240307-v1:0",
        "    aws_region_name: us-east-1",
        "    aws_access_key_id: AKIAINLINE7QX2",
        "    aws_secret_access_key: inline-aws-secret-9Zq",
        "    aws_session_token: inline-session-token-4Rk",
        "  - model_name: vx",
        "    model: vertex_ai/gemini-2.5-pro",
        "    vertex_project: p",
        `    vertex_credentials: '${JSON.stringify({ type: "service_account", project_id: "p", private_key_id: "k1", private_key: "-----BEGIN PRIVATE KEY-----\\nINLINEPEMKEY\\n-----END PRIVATE KEY-----\\n", client_email: "sa@p.iam.gserviceaccount.com" })}'`,
        "  - model_name: vx2",
        "    model: vertex_ai/gemini-2.5-flash",
        "    vertex_credentials: os.environ/GOOGLE_APPLICATION_CREDENTIALS",
        "tracing:",
        "  endpoint: http://127.0.0.1:6006/v1/traces",
        "  headers:",
        "    space_id: inline-space-id-77",
        "    api_key: inline-arize-key-88",
        "",
      ].join("\n"),
    );
    const { code, stdout, stderr } = await run(["config", "check", path, "--print"], { GOOGLE_APPLICATION_CREDENTIALS: serviceAccount });
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    for (const secret of ["AKIAINLINE7QX2", "inline-aws-secret-9Zq", "inline-session-token-4Rk", "INLINEPEMKEY", "inline-space-id-77", "inline-arize-key-88"]) {
      expect(stdout).not.toContain(secret);
    }
    expect(stdout).toContain("vertex_credentials: os.environ/GOOGLE_APPLICATION_CREDENTIALS");
    expect(stdout).toContain("aws_region_name: us-east-1");
  });

  test("a model-table problem in a LiteLLM file names the LiteLLM path", async () => {
    const path = await fileWith("litellm-provider.yaml", "model_list:\n  - model_name: a\n    litellm_params:\n      model: openai/a\n  - model_name: b\n    litellm_params:\n      model: nosuch/b\n");
    const { code, stderr } = await run(["config", "check", path], { OPENAI_API_KEY: "sk-x" });
    expect(code).toBe(1);
    expect(stderr).toContain("model_list[1].litellm_params.model: unknown provider 'nosuch'");
  });

  test("a YAML syntax error gives file, line and column", async () => {
    const path = await fileWith("syntax.yaml", "server:\n  host: 0.0.0.0\n   port: 8080\n");
    const { code, stderr } = await run(["config", "check", path]);
    expect(code).toBe(1);
    expect(stderr).toStartWith(`${path}:3:8: YAML syntax error`);
  });

  test("'config' without 'check FILE' prints its usage", async () => {
    const { code, stderr } = await run(["config"]);
    expect(code).toBe(2);
    expect(stderr).toContain("usage: switchboard config check FILE [--print]");
  });
});

describe("start-up refusals", () => {
  test("--host 0.0.0.0 without a master key exits non-zero, explaining authentication", async () => {
    const { code, stderr } = await run(["--host", "0.0.0.0", "--port", "0"]);
    expect(code).toBe(2);
    expect(stderr).toContain("refusing to bind 0.0.0.0 without authentication");
    expect(stderr).toContain("SWITCHBOARD_MASTER_KEY");
    expect(stderr).not.toContain("listening");
  });

  for (const weak of ["sk-1234", "fake-master-key", "a".repeat(40), "sk-12341234123412341234123412341234"]) {
    test(`a weak master key (${weak.slice(0, 12)}…) is refused at start without echoing it`, async () => {
      const { code, stderr } = await run(["--port", "0"], { SWITCHBOARD_MASTER_KEY: weak });
      expect(code).toBe(2);
      expect(stderr).toContain("the master key is weak");
      expect(stderr).not.toContain(weak);
      expect(stderr).not.toContain("listening");
    });
  }

  const litellmWithWeakKey = "model_list:\n  - model_name: a\n    litellm_params:\n      model: openai/a\n      api_key: k\n      api_base: http://127.0.0.1:9\ngeneral_settings:\n  master_key: sk-1234\n";

  test("a LiteLLM file's weak master_key is refused when it would be used, naming where it is written", async () => {
    const path = await fileWith("litellm-weak-key.yaml", litellmWithWeakKey);
    const { code, stderr } = await run(["--config", path, "--port", "0"]);
    expect(code).toBe(2);
    expect(stderr).toContain("the master key is weak");
    expect(stderr).toContain("it comes from general_settings.master_key");
    expect(stderr).not.toContain("sk-1234");
  });

  test("a LiteLLM file's weak master_key does not stop the start when SWITCHBOARD_MASTER_KEY replaces it: a warning says it is not used", async () => {
    const path = await fileWith("litellm-weak-key.yaml", litellmWithWeakKey);
    const server = await startServer(["--config", path, "--port", "0"], { SWITCHBOARD_MASTER_KEY: STRONG_MASTER });
    try {
      expect(server.log()).toContain("warning: general_settings.master_key: not used: SWITCHBOARD_MASTER_KEY is set and wins (the file's key is weak");
      expect(server.log()).toContain("budgets soft");
      expect(server.log()).not.toContain("sk-1234");
      expect((await fetch(`${server.origin}/v1/models`, { headers: { authorization: "Bearer sk-1234" } })).status).toBe(401);
      expect((await fetch(`${server.origin}/v1/models`, { headers: { authorization: `Bearer ${STRONG_MASTER}` } })).status).toBe(200);
    } finally {
      await stopServer(server);
    }
  });

  test("an unknown flag exits non-zero, suggests the flag meant and lists the flags", async () => {
    const { code, stdout, stderr } = await run(["--prot", "4000"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("unknown option '--prot'; did you mean --port?");
    expect(stderr).toContain("--config");
    expect(stderr).toMatch(/--help/);
  });

  test("a bad --port exits non-zero", async () => {
    const { code, stderr } = await run(["--port", "99999"]);
    expect(code).toBe(2);
    expect(stderr).toContain("--port must be a whole number from 0 to 65535, got '99999'");
  });

  test("--model without a provider prefix names the model as written", async () => {
    const { code, stderr } = await run(["--model", "gpt-4o", "--port", "0"]);
    expect(code).toBe(2);
    expect(stderr).toContain("'gpt-4o'");
    expect(stderr).not.toContain("'gpt-4'");
  });

  test("--model with a provider whose key is missing names the variable", async () => {
    const { code, stderr } = await run(["--model", "openai/gpt-4o", "--port", "0"]);
    expect(code).toBe(2);
    expect(stderr).toContain("OPENAI_API_KEY");
  });
});

interface Server {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  origin: string;
  log: () => string;
  /** Resolves when stderr is closed, so every line the process wrote has been read. */
  logClosed: Promise<void>;
}

/** Starts the gateway and waits for its `listening on` line on stderr. */
async function startServer(args: string[], extraEnv: Record<string, string> = {}): Promise<Server> {
  const proc = Bun.spawn([bun, "src/main.ts", ...args], { cwd: root, stdin: "ignore", stdout: "pipe", stderr: "pipe", env: { ...baseEnv(), ...extraEnv } });
  const reader = proc.stderr.getReader();
  const decoder = new TextDecoder();
  let log = "";
  let origin = "";
  const deadline = Date.now() + 10_000;
  while (!origin && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    log += decoder.decode(value, { stream: true });
    origin = /listening on (http:\/\/\S+)/.exec(log)?.[1] ?? "";
  }
  if (!origin) {
    proc.kill();
    throw new Error(`server did not start:\n${log}`);
  }
  // Keep reading so the pipe never fills and the shutdown lines are captured.
  const logClosed = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      log += decoder.decode(value, { stream: true });
    }
  })();
  return { proc, origin, log: () => log, logClosed };
}

/** SIGTERM, then the exit code once the process has exited and its last log lines are read. */
async function stopServer(server: Server): Promise<number> {
  server.proc.kill("SIGTERM");
  const code = await server.proc.exited;
  // `exited` can resolve before the final stderr chunk is delivered to the reader.
  await server.logClosed;
  return code;
}

describe("serving --model mock/echo", () => {
  let server: Server;
  beforeAll(async () => {
    server = await startServer(["--model", "mock/echo", "--port", "0"]);
  });
  afterAll(() => {
    if (server && server.proc.exitCode === null) server.proc.kill("SIGKILL");
  });

  test("binds loopback on a free port and says requests are not authenticated", () => {
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Number(new URL(server.origin).port)).toBeGreaterThan(0);
    expect(server.log()).toContain("no master key set");
  });

  test("GET /v1/models lists only that model (its alias resolves but is not listed)", async () => {
    const response = await fetch(`${server.origin}/v1/models`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { object: string; data: { id: string; owned_by: string }[] };
    expect(body.object).toBe("list");
    expect(body.data.map((m) => m.id)).toEqual(["mock/echo"]);
  });

  test("the model answers under its full name and its bare alias", async () => {
    for (const model of ["mock/echo", "echo"]) {
      const response = await fetch(`${server.origin}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model, messages: [{ role: "user", content: "hi there" }] }),
      });
      const body = (await response.json()) as { choices?: { message: { content: string } }[]; error?: { message: string } };
      expect({ model, status: response.status, error: body.error?.message }).toEqual({ model, status: 200, error: undefined });
      expect(body.choices?.[0]?.message.content).toBe("Echo: hi there");
    }
  });

  test("SIGTERM drains and exits 0", async () => {
    const code = await stopServer(server);
    const log = server.log();
    // One assertion over everything, so a failure shows the exit code and the whole log.
    expect({ code, draining: log.includes("SIGTERM: draining"), stopped: log.includes("stopped"), log }).toEqual({ code: 0, draining: true, stopped: true, log });
  });
});

describe("serving config/switchboard.yaml", () => {
  test("requires the master key and lists the configured models", async () => {
    const server = await startServer(["--config", "config/switchboard.yaml", "--port", "0"], exampleEnv);
    try {
      expect(server.log()).not.toContain("no master key set");
      const anonymous = await fetch(`${server.origin}/v1/models`);
      expect(anonymous.status).toBe(401);
      const wrong = await fetch(`${server.origin}/v1/models`, { headers: { authorization: "Bearer nope" } });
      expect(wrong.status).toBe(401);
      const response = await fetch(`${server.origin}/v1/models`, { headers: { authorization: `Bearer ${exampleEnv.SWITCHBOARD_MASTER_KEY}` } });
      expect(response.status).toBe(200);
      const listed = ((await response.json()) as { data: { id: string }[] }).data.map((m) => m.id);
      expect(listed.slice(0, 10)).toEqual(["gpt-4o", "gpt-4o-mini", "claude-sonnet", "llama/*", "internal-qwen", "local-llama", "gemini-flash", "claude-vertex", "claude-bedrock", "gpt-4o-azure"]);
      expect(listed).toContain("anthropic/*");
      expect(listed).toContain("openai/*");
      expect(listed).toContain("groq/*");
      // Cloud credentials in the environment turn on their providers' families too.
      expect(listed).toContain("gemini/*");
      expect(listed).toContain("bedrock/*");
      expect(listed).toContain("mock/echo");
      expect(listed).not.toContain("default");
    } finally {
      expect(await stopServer(server)).toBe(0);
    }
  });
});
