/**
 * A bedrock-runtime upstream for the `/bedrock/*` pass-through tests, on a real socket. Every
 * request is checked as AWS would check it: its SigV4 signature is computed again with AWS's own
 * signer (@smithy/signature-v4, test/conformance/providers/bedrock-sigv4.ts) over the method, raw
 * path, signed headers and the body bytes as received, with the deployment's credentials; a bad
 * one is answered with AWS's 403 InvalidSignatureException (and recorded in `invalid`). Answers
 * are Bedrock's recorded shapes, streams the binary AWS event stream written in pieces cut at
 * random byte boundaries:
 *
 * | path                                     | answers |
 * | ---------------------------------------- | ------- |
 * | `/model/{id}/converse`                   | a Converse answer: `CONVERSE_TEXT`, a `TOOL_USE`, `CONVERSE_USAGE` (cache reads and writes) |
 * | `/model/{id}/converse-stream`            | the same as ConverseStream events; a `stall` id stops after the first text and waits for the caller to leave |
 * | `/model/{id}/invoke`                     | an Anthropic body gets an Anthropic answer (`INVOKE_TEXT`, `INVOKE_USAGE`); an `embed` id a Titan embedding; both with Bedrock's token-count headers |
 * | `/model/{id}/invoke-with-response-stream`| `chunk` events, each an Anthropic stream event in base64, the last with `amazon-bedrock-invocationMetrics`; `stall` as above |
 * | `/model/{id}/count-tokens`               | `{inputTokens: 42}` |
 * | `/model/{id}/…` of a `throttled` id      | AWS's 429 ThrottlingException, its message echoing the session token it received |
 * | anything else                            | 200 `{path, method}` |
 */
import { encodeEvents, streamEvents, type StreamEvent } from "../conformance/providers/bedrock-answers.ts";
import { checkSigV4, type AwsTestCredentials } from "../conformance/providers/bedrock-sigv4.ts";
import { seeded, splitRandomly } from "./rechunk.ts";
import type { RecordedRequest } from "./recording.ts";

/** The deployment's temporary credentials (test values) and region: what the mock verifies signatures with. */
export const BEDROCK_CREDENTIALS: AwsTestCredentials = {
  accessKeyId: "ASIAPASSTHROUGHTEST0",
  secretAccessKey: "passthrough/Secret+Key/0123456789abcdEXAMPLEKEY",
  sessionToken: "IQoJb3JpZ2luX2VjEPassThrough//////////wEaCXVzLXdlc3QtMiJHMEUCIQ+token==",
};
export const BEDROCK_REGION = "us-west-2";

export const CONVERSE_TEXT = "Hello from the mock Bedrock.";
/** Converse's counts leave cache reads and writes out of `inputTokens`: 12 + 96 + 4 prompt tokens in all. */
export const CONVERSE_USAGE = { inputTokens: 12, outputTokens: 7, totalTokens: 119, cacheReadInputTokens: 96, cacheWriteInputTokens: 4 };
export const TOOL_USE = { toolUseId: "tooluse_passthrough01", name: "get_weather", input: { city: "Paris" } };
export const INVOKE_TEXT = "Hello from Claude on Bedrock.";
export const INVOKE_USAGE = { input_tokens: 21, cache_read_input_tokens: 1000, cache_creation_input_tokens: 8, output_tokens: 9 };
/** What the embedding answer and its header count. */
export const EMBED_TOKENS = 5;

export interface BedrockRequest extends RecordedRequest {
  /** The path as sent, escapes kept (`/model/arn%3Aaws…%2F…/converse`). */
  rawPath: string;
  bytes: Uint8Array;
}

export interface MockBedrock {
  url: string;
  requests: BedrockRequest[];
  /** Requests whose caller went away before the answer's end. */
  aborted: BedrockRequest[];
  stop(): Promise<void>;
}

const EVENT_STREAM = { "content-type": "application/vnd.amazon.eventstream" };
const MODEL_PATH = /^\/model\/([^/]+)\/([a-z-]+)$/;

const untilAborted = (signal: AbortSignal) => new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));

/** Bedrock's error answer: `{message}`, the exception named in `x-amzn-errortype`. */
function awsError(status: number, type: string, message: string): Response {
  return Response.json({ message }, { status, headers: { "x-amzn-errortype": `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` } });
}

/** The Anthropic stream of INVOKE_TEXT, as InvokeModelWithResponseStream sends it: each event a `chunk` of base64 JSON; Bedrock's metrics in the last. */
function invokeChunks(stall: boolean): StreamEvent[] {
  const events: Record<string, unknown>[] = [
    { type: "message_start", message: { id: "msg_bdrk_01", type: "message", role: "assistant", model: "claude", content: [], stop_reason: null, usage: { input_tokens: 21, cache_read_input_tokens: 1000, cache_creation_input_tokens: 8, output_tokens: 1 } } },
    { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
    { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hello from " } },
    { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Claude on Bedrock." } },
    { type: "content_block_stop", index: 0 },
    { type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 9 } },
    { type: "message_stop", "amazon-bedrock-invocationMetrics": { inputTokenCount: 21, outputTokenCount: 9, invocationLatency: 512, firstByteLatency: 120, cacheReadInputTokenCount: 1000, cacheWriteInputTokenCount: 8 } },
  ];
  const chunk = (event: Record<string, unknown>): StreamEvent => ({ name: "chunk", payload: { bytes: Buffer.from(JSON.stringify(event)).toString("base64") } });
  return (stall ? events.slice(0, 3) : events).map(chunk);
}

/** Starts the mock on 127.0.0.1 and a free port. */
export async function startMockBedrock(): Promise<MockBedrock> {
  const requests: BedrockRequest[] = [];
  const aborted: BedrockRequest[] = [];
  let seed = 0;

  /** `events` framed as an AWS event stream, cut at seeded random boundaries, one piece per write; `stall` then waits for the caller to leave. */
  function eventStream(events: StreamEvent[], recorded: BedrockRequest, signal: AbortSignal, stall: boolean): Response {
    const random = seeded(++seed);
    const pieces = splitRandomly(encodeEvents(events, random), random, 64);
    let finished = false;
    const gone = () => {
      if (finished || recorded.aborted) return;
      recorded.aborted = true;
      aborted.push(recorded);
    };
    signal.addEventListener("abort", gone, { once: true });
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent > 0) await Bun.sleep(1);
        const piece = pieces[sent++];
        if (piece !== undefined) return controller.enqueue(piece);
        if (stall) await untilAborted(signal);
        else finished = true;
        controller.close();
      },
      cancel: gone,
    });
    return new Response(body, { headers: { ...EVENT_STREAM, "x-amzn-requestid": `mock-${seed}` } });
  }

  function answer(action: string, id: string, recorded: BedrockRequest, signal: AbortSignal): Response {
    if (id.includes("throttled")) return awsError(429, "ThrottlingException", `Too many requests (token ${recorded.headers["x-amz-security-token"] ?? "none"}), please wait before trying again.`);
    const stall = id.includes("stall");
    const body = recorded.body ?? {};
    if (action === "converse" || action === "converse-stream") {
      const result = { blocks: [{ text: CONVERSE_TEXT }, { toolUse: TOOL_USE }], stopReason: "tool_use" as const, usage: CONVERSE_USAGE };
      if (action === "converse") return Response.json({ output: { message: { role: "assistant", content: result.blocks } }, stopReason: result.stopReason, usage: result.usage, metrics: { latencyMs: 321 } });
      const events = streamEvents(result, 321);
      return eventStream(stall ? events.slice(0, 2) : events, recorded, signal, stall);
    }
    if (action === "invoke-with-response-stream") return eventStream(invokeChunks(stall), recorded, signal, stall);
    if (action === "invoke") {
      if (id.includes("embed")) {
        return Response.json({ embedding: [0.1, 0.2, 0.3], inputTextTokenCount: EMBED_TOKENS }, { headers: { "x-amzn-bedrock-input-token-count": String(EMBED_TOKENS), "x-amzn-bedrock-output-token-count": "0" } });
      }
      if (typeof body.anthropic_version !== "string") return awsError(400, "ValidationException", "Malformed input request: anthropic_version is required");
      const message = { id: "msg_bdrk_02", type: "message", role: "assistant", model: "claude", content: [{ type: "text", text: INVOKE_TEXT }], stop_reason: "end_turn", stop_sequence: null, usage: INVOKE_USAGE };
      return Response.json(message, { headers: { "x-amzn-bedrock-input-token-count": String(INVOKE_USAGE.input_tokens), "x-amzn-bedrock-output-token-count": String(INVOKE_USAGE.output_tokens), "x-amzn-bedrock-invocation-latency": "480" } });
    }
    if (action === "count-tokens") return Response.json({ inputTokens: 42 });
    return Response.json({ path: recorded.rawPath, method: recorded.method });
  }

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    async fetch(request) {
      const url = new URL(request.url);
      const bytes = new Uint8Array(await request.arrayBuffer());
      const headers: Record<string, string> = {};
      request.headers.forEach((value, name) => (headers[name.toLowerCase()] = value));
      const bodyText = new TextDecoder().decode(bytes);
      let body: unknown;
      try {
        body = JSON.parse(bodyText);
      } catch {
        body = undefined;
      }
      const recorded: BedrockRequest = { method: request.method, path: decodeURIComponent(url.pathname), rawPath: url.pathname, headers, bodyText, body, bytes, aborted: false };
      requests.push(recorded);
      const problem = await checkSigV4({ method: request.method, url, headers, body: bytes }, BEDROCK_CREDENTIALS, BEDROCK_REGION, "bedrock");
      if (problem) {
        recorded.invalid = problem;
        return awsError(403, "InvalidSignatureException", `The request signature we calculated does not match the signature you provided: ${problem}`);
      }
      const match = MODEL_PATH.exec(url.pathname);
      if (request.method === "POST" && match) return answer(match[2] as string, decodeURIComponent(match[1] as string), recorded, request.signal);
      return Response.json({ path: recorded.rawPath, method: request.method });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    aborted,
    stop: async () => {
      await server.stop(true);
    },
  };
}
