/**
 * The conformance suite's Amazon Bedrock upstream: bedrock-runtime's Converse
 * (`POST /model/{modelId}/converse`) and ConverseStream (`/converse-stream`) on a real socket.
 *
 * Every request is checked as AWS would: the path (the model id percent-encoded as one segment),
 * the SigV4 signature recomputed with AWS's own signer over the request as received
 * (bedrock-sigv4.ts), the Converse body's shape (bedrock-wire.ts) and what the feature needs in it
 * (bedrock-checks.ts). A problem is recorded in `violations` and answered with Bedrock's 400
 * ValidationException. Answers are Bedrock's recorded shapes (bedrock-answers.ts); streams are the
 * binary AWS event stream, written in pieces cut at random byte boundaries (seeded per request),
 * each piece flushed on its own.
 *
 * Each feature is its own Claude model id, `anthropic.claude-conf-<feature>-v1:0`: Bedrock's Claude
 * handling in the gateway (thinking, top_k, default max tokens) keys on `anthropic.` in the id.
 */
import { seeded, splitRandomly } from "../../support/rechunk.ts";
import { ERROR_MESSAGES, featureModel, featureOf, type ConformanceProvider, type ConformanceUpstream, type Feature, type FeatureEntry } from "../contract.ts";
import { ABORT_EVENTS, answerFor, converseBody, encodeEvents, streamEvents, type StreamEvent } from "./bedrock-answers.ts";
import { checkFeature, formatTool } from "./bedrock-checks.ts";
import { checkSigV4, type AwsTestCredentials } from "./bedrock-sigv4.ts";
import { checkConverseBody } from "./bedrock-wire.ts";

const REGION = "us-east-1";
/** Inline temporary credentials (test values): the mock verifies signatures made with them. */
const CREDENTIALS: AwsTestCredentials = {
  accessKeyId: "ASIACONFORMANCE0TEST",
  secretAccessKey: "conformance/Secret+Key/0123456789abcdEXAMPLEKEY",
  sessionToken: "IQoJb3JpZ2luX2VjEConformance//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+token/with+slashes==",
};
const LATENCY_MS = 412;
const CONVERSE_PATH = /^\/model\/([^/]+)\/(converse|converse-stream)$/;

/** The Bedrock model id of a feature: Claude-named so the gateway applies its Claude handling. */
export const bedrockModelId = (feature: Feature): string => `anthropic.${featureModel(feature, true)}-v1:0`;

/** The feature a Bedrock model id names: `featureOf` of the id without Bedrock's `anthropic.` prefix and `-v1:0` version (it matches neither). */
export function featureOfModelId(id: string): Feature | undefined {
  return featureOf(id.replace(/^(?:[a-z]{2,4}\.)?anthropic\./, "").replace(/-v\d+(?::\d+)?$/, ""));
}

/** The AWS exceptions the error features answer with (status as AWS documents it for each). */
const ERRORS: Partial<Record<Feature, { status: number; type: string; namespace?: string; headers?: Record<string, string> }>> = {
  "error-400": { status: 400, type: "ValidationException" },
  // AWS answers an unknown access key with 403 UnrecognizedClientException (a coral service error).
  "error-401": { status: 403, type: "UnrecognizedClientException", namespace: "com.amazon.coral.service" },
  "error-429": { status: 429, type: "ThrottlingException", headers: { "retry-after": "1" } },
  "error-500": { status: 500, type: "InternalServerException" },
};

/** Bedrock's error answer: `{"message"}` with the exception named in `x-amzn-errortype`. */
function bedrockError(status: number, type: string, message: string, headers: Record<string, string> = {}, namespace = "com.amazon.bedrock"): Response {
  return Response.json(
    { message },
    { status, headers: { "x-amzn-errortype": `${type}:http://internal.amazon.com/coral/${namespace}/`, "x-amzn-requestid": crypto.randomUUID(), ...headers } },
  );
}

/** Resolves when `signal` aborts (at once if it has). */
const untilAborted = (signal: AbortSignal) => new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));
/** Bun coalesces writes made within one tick (`Bun.sleep(0)`, setImmediate, a direct stream's flush()); 1 ms apart, each piece goes out on its own. */
const nextWrite = () => Bun.sleep(1);

const decodeSegment = (segment: string): string | undefined => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
};

/** Starts the mock on 127.0.0.1 and a free port. */
async function startBedrock(): Promise<ConformanceUpstream> {
  const violations: string[] = [];
  let aborted = 0;
  let requests = 0;

  /** A ConverseStream answer: `events` framed, cut at seeded random boundaries; with `stall`, it then waits for the caller to leave. */
  function streamAnswer(events: StreamEvent[], signal: AbortSignal, seed: number, stall: boolean): Response {
    const random = seeded(seed);
    const pieces = splitRandomly(encodeEvents(events, random), random);
    let finished = false;
    let counted = false;
    const gone = () => {
      if (finished || counted) return;
      counted = true;
      aborted++;
    };
    signal.addEventListener("abort", gone, { once: true });
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent > 0) await nextWrite();
        const piece = pieces[sent++];
        if (piece !== undefined) return controller.enqueue(piece);
        if (stall) await untilAborted(signal);
        else finished = true;
        controller.close();
      },
      cancel: gone,
    });
    return new Response(body, { headers: { "content-type": "application/vnd.amazon.eventstream", "x-amzn-requestid": `conformance-${seed}-${crypto.randomUUID()}` } });
  }

  function answer(feature: Feature, body: Record<string, any>, stream: boolean, signal: AbortSignal, seed: number): Response | Promise<Response> {
    const error = ERRORS[feature];
    if (error) return bedrockError(error.status, error.type, ERROR_MESSAGES[feature as keyof typeof ERROR_MESSAGES], error.headers, error.namespace);
    if (feature === "abort") {
      if (stream) return streamAnswer(ABORT_EVENTS, signal, seed, true);
      return untilAborted(signal).then(() => {
        aborted++;
        return new Response(null, { status: 499 });
      });
    }
    const tool = feature === "json-schema" ? formatTool(body) : undefined;
    const toolNames: string[] = (body.toolConfig?.tools ?? []).flatMap((item: Record<string, any>) => (item.toolSpec ? [item.toolSpec.name] : []));
    const result = answerFor(feature, tool && "name" in tool ? tool.name : undefined, toolNames);
    if (stream) return streamAnswer(streamEvents(result, LATENCY_MS), signal, seed, false);
    return Response.json(converseBody(result, LATENCY_MS), { headers: { "x-amzn-requestid": crypto.randomUUID() } });
  }

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    // `abort` holds its stream open until the caller goes away, not until an idle timer fires.
    idleTimeout: 0,
    async fetch(request) {
      const seed = ++requests;
      const url = new URL(request.url);
      const bytes = new Uint8Array(await request.arrayBuffer());
      const headers: Record<string, string> = {};
      request.headers.forEach((value, name) => (headers[name.toLowerCase()] = value));
      const match = CONVERSE_PATH.exec(url.pathname);
      const rawId = match?.[1] ?? "";
      const id = decodeSegment(rawId);
      const feature = id === undefined ? undefined : featureOfModelId(id);
      const reject = (what: string): Response => {
        violations.push(`${feature ?? "unknown feature"}: ${what}`);
        return bedrockError(400, "ValidationException", what);
      };
      if (request.method !== "POST" || !match) return reject(`${request.method} ${url.pathname} is not Converse or ConverseStream (POST /model/{modelId}/converse or /converse-stream)`);
      if (id === undefined || encodeURIComponent(id) !== rawId) return reject(`the model id should be one path segment, percent-encoded (':' as %3A): got '${rawId}'`);
      if (!feature) return reject(`The provided model identifier is invalid: '${id}' names no conformance feature`);
      if (url.search !== "") return reject(`Converse takes no query string, got '${url.search}'`);
      const signatureProblem = await checkSigV4({ method: request.method, url, headers, body: bytes }, CREDENTIALS, REGION, "bedrock");
      if (signatureProblem) return reject(signatureProblem);
      if (!(headers["content-type"] ?? "").startsWith("application/json")) return reject(`content-type should be application/json, got '${headers["content-type"] ?? ""}'`);
      let body: unknown;
      try {
        body = JSON.parse(new TextDecoder().decode(bytes));
      } catch {
        return reject("the body is not JSON");
      }
      const problem = checkConverseBody(body, id.includes("anthropic.")) ?? checkFeature(feature, body as Record<string, any>);
      if (problem) return reject(problem);
      return answer(feature, body as Record<string, any>, match[2] === "converse-stream", request.signal, seed);
    },
  });

  const apiBase = `http://127.0.0.1:${server.port}`;
  return {
    entry: (feature: Feature): FeatureEntry => ({
      model: `bedrock/${bedrockModelId(feature)}`,
      api_base: apiBase,
      aws_region_name: REGION,
      aws_access_key_id: CREDENTIALS.accessKeyId,
      aws_secret_access_key: CREDENTIALS.secretAccessKey,
      aws_session_token: CREDENTIALS.sessionToken,
    }),
    violations,
    aborted: () => aborted,
    stop: async () => {
      await server.stop(true);
    },
  };
}

/** Amazon Bedrock (Converse / ConverseStream, SigV4 with temporary credentials) in the conformance suite. */
export const bedrockConformance: ConformanceProvider = {
  key: "bedrock",
  start: startBedrock,
  cacheWrites: true,
};
