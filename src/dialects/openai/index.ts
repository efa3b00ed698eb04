import type { ChatDialect } from "../types.ts";
import { fromOpenAIChatRequest } from "./decode.ts";
import { toOpenAIChatCompletion } from "./encode.ts";
import { toOpenAIErrorResponse } from "./errors.ts";
import { openAIStreamEncoder } from "./stream-encoder.ts";

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** The OpenAI chat completions dialect: decodes client bodies into the canonical model and encodes answers, streams and errors back. */
export const openAIDialect: ChatDialect = {
  decodeChat: fromOpenAIChatRequest,
  encodeResult: (result, _request, model) => toOpenAIChatCompletion(result, model, nowSeconds()),
  streamEncoder: (request, model) => openAIStreamEncoder(request, model, nowSeconds()),
  errorResponse: toOpenAIErrorResponse,
};
