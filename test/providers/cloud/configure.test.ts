import { describe, expect, test } from "bun:test";
import type { Config } from "../../../src/config/schema.ts";
import { buildModelTable } from "../../../src/router/models.ts";

const SERVICE_ACCOUNT = JSON.stringify({
  type: "service_account",
  project_id: "sa-project",
  private_key_id: "k1",
  private_key: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
  client_email: "sa@sa-project.iam.gserviceaccount.com",
});

const table = (models: Record<string, unknown>[], env: Record<string, string> = {}) =>
  buildModelTable({ settings: { mock_models: false, env_provider_models: false }, models: models.map((m, i) => ({ model_name: `m${i}`, ...m })) } as Config, env);

describe("Vertex AI deployments", () => {
  test("Claude models get the Anthropic-wire variant, others the Gemini one; project, location and host are filled in", () => {
    const { table: t, problems } = table([
      { model: "vertex_ai/claude-sonnet-4-5@20250929", vertex_credentials: SERVICE_ACCOUNT, vertex_location: "us-east5" },
      { model: "vertex_ai/gemini-2.5-pro", vertex_credentials: SERVICE_ACCOUNT, vertex_project: "other", vertex_location: "global" },
    ]);
    expect(problems).toEqual([]);
    const claude = t.resolve("m0");
    expect(claude?.deployment.provider.wire).toBe("anthropic");
    expect(claude?.deployment.provider.id).toBe("vertex_ai");
    expect(claude?.target).toMatchObject({ model: "claude-sonnet-4-5@20250929", project: "sa-project", region: "us-east5", apiBase: "https://us-east5-aiplatform.googleapis.com" });
    // Priced from Anthropic's rows (the snapshot stamp is stripped).
    expect(claude?.deployment.priceOf("claude-sonnet-4-5@20250929")?.input).toBeGreaterThan(0);
    const gemini = t.resolve("m1");
    expect(gemini?.deployment.provider.wire).toBe("gemini");
    expect(gemini?.target).toMatchObject({ project: "other", region: "global", apiBase: "https://aiplatform.googleapis.com" });
    expect(gemini?.deployment.priceOf("gemini-2.5-pro")?.input).toBeGreaterThan(0);
  });

  test("credentials from GOOGLE_APPLICATION_CREDENTIALS; missing or broken ones are problems that never echo the key", () => {
    expect(table([{ model: "vertex_ai/gemini-2.5-pro" }]).problems).toEqual([
      "models[0]: Vertex AI needs a service account: set vertex_credentials (JSON or a file path) or export GOOGLE_APPLICATION_CREDENTIALS",
    ]);
    const broken = table([{ model: "vertex_ai/gemini-2.5-pro", vertex_credentials: '{"type":"service_account","private_key":"-----BEGIN PRIVATE KEY-----SECRET"}' }]).problems;
    expect(broken).toHaveLength(1);
    expect(broken[0]).toContain("vertex_credentials");
    expect(broken[0]).not.toContain("SECRET");
    expect(table([{ model: "vertex_ai/gemini-2.5-pro", vertex_credentials: "/nonexistent/sa.json" }]).problems[0]).toContain("cannot read the service-account file /nonexistent/sa.json (ENOENT)");
    expect(table([{ model: "vertex_ai/gemini-2.5-pro", vertex_credentials: SERVICE_ACCOUNT, vertex_location: "us central" }]).problems[0]).toContain("vertex_location");
  });
});

describe("Bedrock deployments", () => {
  test("region and SigV4 credentials from config, else the AWS variables; the runtime host follows the region", () => {
    const { table: t, problems } = table(
      [
        { model: "bedrock/anthropic.claude-3-haiku-20240307-v1:0", aws_region_name: "eu-west-1", aws_access_key_id: "AKIA1", aws_secret_access_key: "s1" },
        { model: "bedrock/amazon.nova-pro-v1:0" },
      ],
      { AWS_REGION: "us-west-2", AWS_ACCESS_KEY_ID: "AKIA2", AWS_SECRET_ACCESS_KEY: "s2", AWS_SESSION_TOKEN: "t2" },
    );
    expect(problems).toEqual([]);
    expect(t.resolve("m0")?.target).toMatchObject({ region: "eu-west-1", apiBase: "https://bedrock-runtime.eu-west-1.amazonaws.com", aws: { accessKeyId: "AKIA1", secretAccessKey: "s1" } });
    expect(t.resolve("m1")?.target).toMatchObject({ region: "us-west-2", aws: { accessKeyId: "AKIA2", secretAccessKey: "s2", sessionToken: "t2" } });
  });

  test("a Bedrock API key replaces SigV4; missing region or credentials are named", () => {
    const { table: t, problems } = table([{ model: "bedrock/amazon.nova-pro-v1:0", aws_region_name: "us-east-1" }], { AWS_BEARER_TOKEN_BEDROCK: "bedrock-api-key" });
    expect(problems).toEqual([]);
    expect(t.resolve("m0")?.target.apiKey).toBe("bedrock-api-key");
    expect(t.resolve("m0")?.target.aws).toBeUndefined();
    expect(table([{ model: "bedrock/amazon.nova-pro-v1:0" }]).problems[0]).toContain("needs a region");
    expect(table([{ model: "bedrock/amazon.nova-pro-v1:0", aws_region_name: "us-east-1" }]).problems[0]).toContain("needs credentials");
    expect(table([{ model: "bedrock/amazon.nova-pro-v1:0", aws_region_name: "mars" }]).problems[0]).toContain("not an AWS region name");
  });
});

describe("Azure deployments", () => {
  test("api_version from config, else AZURE_API_VERSION; priced from OpenAI's rows", () => {
    const { table: t, problems } = table(
      [
        { model: "azure/gpt-4o", api_base: "https://r.openai.azure.com", api_key: "k", api_version: "2025-01-01-preview" },
        { model: "azure/gpt-4o-mini", api_base: "https://r.openai.azure.com", api_key: "k" },
      ],
      { AZURE_API_VERSION: "2024-06-01" },
    );
    expect(problems).toEqual([]);
    expect(t.resolve("m0")?.target.apiVersion).toBe("2025-01-01-preview");
    expect(t.resolve("m1")?.target.apiVersion).toBe("2024-06-01");
    expect(t.resolve("m0")?.deployment.priceOf("gpt-4o")?.input).toBeGreaterThan(0);
  });
});
