import { toOpenAIErrorResponse } from "../../dialects/openai/errors.ts";
import { openai } from "../../providers/openai/index.ts";
import type { CallShape, NativeRequest, PassthroughProvider } from "../types.ts";
import { isRecord } from "../../json/is-record.ts";
import { bearer, bodyCall, credentialsOf, withoutSuffix } from "./common.ts";

/**
 * Endpoints that run a model their body need not name: a default (images, realtime sessions,
 * videos), a batch's input file, an assistant's (thread runs), an eval's data source.
 */
const RUNS_UNNAMED = /^(?:batches|images\/(?:generations|edits|variations)|audio\/(?:speech|transcriptions|translations)|threads\/(?:[^/]+\/)?runs(?:\/[^/]+\/submit_tool_outputs)?|realtime(?:\/.*)?|evals\/[^/]+\/runs|videos(?:\/[^/]+\/remix)?|fine_tuning\/jobs)$/i;

/** Of those, the endpoints whose body's `model` (if any) is not what runs: a batch runs its file's, an eval run its data source's, a run's tool outputs its run's. */
const RUNS_OTHER = /^(?:batches|evals\/[^/]+\/runs|threads\/[^/]+\/runs\/[^/]+\/submit_tool_outputs)$/i;

/** An OpenAI-wire call by its path after the version (`chat/completions`): what it is and how its bodies read. */
export function openAIWireCall(endpoint: string, { method, fields }: NativeRequest): CallShape {
  if (method === "POST") {
    if (endpoint === "chat/completions" || endpoint === "completions" || endpoint === "fim/completions") {
      const shape = bodyCall("generate", fields, "openai");
      const asked = isRecord(fields?.stream_options) && fields.stream_options.include_usage === true;
      return shape.stream && !asked ? { ...shape, usageNotAsked: true } : shape;
    }
    // A background response is generated after this call answers (and survives the client leaving): the gateway never sees its usage.
    if (endpoint === "responses") return bodyCall(fields?.background === true ? "other" : "generate", fields, "openai-responses");
    if (endpoint === "embeddings") return bodyCall("embed", fields, "openai");
    if (RUNS_OTHER.test(endpoint)) return { kind: "other", stream: false, runsUnnamedModel: true };
    if (RUNS_UNNAMED.test(endpoint)) return { ...bodyCall("other", fields), runsUnnamedModel: true };
  }
  return bodyCall("other", fields);
}

/**
 * OpenAI's API at `/openai/*` (the OpenAI SDK with `baseURL: <gateway>/openai`; `/openai/v1` works
 * too): assistants, files, batches, vector stores, the Responses API, as OpenAI serves them.
 */
export const openaiPassthrough: PassthroughProvider = {
  id: "openai",
  label: "OpenAI",
  credentials: credentialsOf(openai),
  rootOf: (base) => withoutSuffix(base, ["/v1"]),
  // LiteLLM's convention: a path without the version gets `v1/`.
  upstreamPath: (path) => (path.startsWith("v1/") ? path : `v1/${path}`),
  credentialHeaders: bearer,
  classify: (request) => openAIWireCall(request.path.slice("v1/".length), request),
  renderError: toOpenAIErrorResponse,
};
