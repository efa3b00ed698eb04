/**
 * The conformance suite: every provider (providers/index.ts), both client dialects (the official
 * OpenAI and Anthropic SDKs), every feature (contract.ts), buffered and streamed, through a real
 * gateway to the provider's mock upstream. The README's matrix is generated from the same table
 * (matrix.ts) and checked here, so it cannot drift from what the suite proves.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Config } from "../../src/config/schema.ts";
import { startGateway, type TestGateway } from "../support/build-test-app.ts";
import { ERROR_STATUS, runAbort, runError, runFeature, type Dialect } from "./clients.ts";
import { FEATURES, type ConformanceUpstream, type Feature } from "./contract.ts";
import { matrixMarkdown, readmeMatrix } from "./matrix.ts";
import { PROVIDERS } from "./providers/index.ts";

const DIALECTS: Dialect[] = ["openai", "anthropic"];
/** Features whose answer is checked both buffered and streamed (errors: both too; abort: streamed only). */
const isError = (feature: Feature): feature is keyof typeof ERROR_STATUS => feature in ERROR_STATUS;

for (const provider of PROVIDERS) {
  describe(`conformance: ${provider.key}`, () => {
    let upstream: ConformanceUpstream;
    let gateway: TestGateway;
    let clients: { openai: OpenAI; anthropic: Anthropic };

    beforeAll(async () => {
      upstream = await provider.start();
      const config = {
        settings: { mock_models: false, env_provider_models: false },
        // One attempt per call: a retried error would hide the mapping under test.
        router: { num_retries: 0 },
        models: FEATURES.map((feature) => ({ model_name: feature, ...upstream.entry(feature) })),
      } as Config;
      gateway = await startGateway(config, { env: upstream.env ?? {} });
      clients = {
        openai: new OpenAI({ baseURL: gateway.baseURL, apiKey: "sk-conformance", maxRetries: 0 }),
        anthropic: new Anthropic({ baseURL: gateway.origin, apiKey: "sk-conformance", maxRetries: 0 }),
      };
    });

    afterAll(async () => {
      await gateway?.stop();
      await upstream?.stop();
    });

    for (const dialect of DIALECTS) {
      for (const feature of FEATURES) {
        const skip = provider.skips?.[feature];
        const context = () => ({ model: feature, upstream, cacheWrites: provider.cacheWrites === true, hiddenReasoning: provider.hiddenReasoning === true });
        if (feature === "abort") {
          test.skipIf(skip !== undefined)(`${dialect} client: ${feature}`, async () => {
            const seen = upstream.violations.length;
            await runAbort(dialect, clients, context());
            expect(upstream.violations.slice(seen)).toEqual([]);
          });
          continue;
        }
        for (const stream of [false, true]) {
          test.skipIf(skip !== undefined)(`${dialect} client: ${feature}${stream ? " (streamed)" : ""}`, async () => {
            // Only this test's requests: one broken feature must not fail the rest.
            const seen = upstream.violations.length;
            try {
              if (isError(feature)) await runError(dialect, clients, feature, stream, feature);
              else await runFeature(dialect, clients, feature, stream, context());
            } finally {
              expect(upstream.violations.slice(seen)).toEqual([]);
            }
          });
        }
      }
    }
  });
}

test("README's conformance matrix is the one this suite proves", async () => {
  expect(await readmeMatrix()).toBe(matrixMarkdown(PROVIDERS));
});
