/** What each provider reads off a request: its kind, and whether it runs a model it need not name. */
import { describe, expect, test } from "bun:test";
import { azurePassthrough } from "../../src/passthrough/providers/azure.ts";
import { coherePassthrough } from "../../src/passthrough/providers/cohere.ts";
import { geminiPassthrough } from "../../src/passthrough/providers/gemini.ts";
import { mistralPassthrough } from "../../src/passthrough/providers/mistral.ts";
import { openaiPassthrough } from "../../src/passthrough/providers/openai.ts";
import type { PassthroughProvider } from "../../src/passthrough/types.ts";

const shapeOf = (provider: PassthroughProvider, path: string, fields?: Record<string, unknown>, method = "POST") => provider.classify({ method, path, fields });

describe("calls that run a model the request need not name", () => {
  test("OpenAI: defaults, batches, assistants' runs, realtime sessions, evals, videos; not their listings", () => {
    for (const path of ["v1/images/generations", "v1/batches", "v1/threads/t_1/runs", "v1/threads/t_1/runs/r_1/submit_tool_outputs", "v1/threads/runs", "v1/realtime/client_secrets", "v1/evals/e_1/runs", "v1/videos", "v1/audio/speech"]) {
      expect(`${path}: ${shapeOf(openaiPassthrough, path).runsUnnamedModel}`).toBe(`${path}: true`);
    }
    for (const path of ["v1/files", "v1/threads/t_1/messages", "v1/batches/b_1/cancel", "v1/vector_stores"]) expect(shapeOf(openaiPassthrough, path).runsUnnamedModel).toBeUndefined();
    expect(shapeOf(openaiPassthrough, "v1/batches", undefined, "GET").runsUnnamedModel).toBeUndefined();
  });

  test("Azure: the dated API outside a deployment reads as OpenAI's (its Responses API is a model call)", () => {
    expect(shapeOf(azurePassthrough, "openai/batches").runsUnnamedModel).toBe(true);
    expect(shapeOf(azurePassthrough, "openai/threads/t_1/runs").runsUnnamedModel).toBe(true);
    expect(shapeOf(azurePassthrough, "openai/responses", { model: "my-deployment" })).toMatchObject({ kind: "generate", wire: "openai-responses", bodyModels: ["my-deployment"] });
  });

  test("Mistral's agents, conversations and batch jobs; Cohere's v1 defaults; Gemini's tuning", () => {
    for (const path of ["v1/agents/completions", "v1/conversations", "v1/conversations/c_1", "v1/batch/jobs"]) expect(shapeOf(mistralPassthrough, path).runsUnnamedModel).toBe(true);
    expect(shapeOf(mistralPassthrough, "v1/chat/completions", { model: "m" }).kind).toBe("generate");
    for (const path of ["v1/generate", "v1/summarize", "v1/classify"]) expect(shapeOf(coherePassthrough, path).runsUnnamedModel).toBe(true);
    expect(shapeOf(geminiPassthrough, "v1beta/tunedModels", { baseModel: "models/gemini-1.5-flash-001-tuning" }).runsUnnamedModel).toBe(true);
    expect(shapeOf(geminiPassthrough, "v1beta/files").runsUnnamedModel).toBeUndefined();
  });
});
