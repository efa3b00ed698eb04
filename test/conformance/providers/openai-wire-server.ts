/**
 * The server side shared by the Chat Completions mocks (openai.ts, azure.ts): records each
 * request, lets the host check its address and credential, checks the body (openai-wire.ts),
 * and answers the feature buffered or streamed (openai-wire-answers.ts).
 */
import { FEATURES, type ConformanceUpstream, type Feature } from "../contract.ts";
import { recordRequest, type RecordedRequest } from "../../support/recording.ts";
import { checkChatBody } from "./openai-wire.ts";
import { completionBody, sseResponse, streamFrames, type WireFlavour } from "./openai-wire-answers.ts";

/** The error features, answered with the host's error shapes. */
export type ErrorFeature = "error-400" | "error-401" | "error-429" | "error-500";

/** What distinguishes one host of the Chat Completions wire. */
export interface WireHost {
  flavour: WireFlavour;
  /** The top-level body parameters the host accepts. */
  params: ReadonlySet<string>;
  /** Headers on every answer (request ids, rate limits). */
  headers: Record<string, string>;
  /** Checks method, address and credential; says which feature the request is for (from its URL or body). */
  route(request: RecordedRequest, url: URL): { feature: Feature | undefined; problems: string[] };
  /** The host's 400 for a request it cannot take. */
  invalid(message: string): Response;
  /** The host's answer to an error feature. */
  error(feature: ErrorFeature): Response;
}

/** A running Chat Completions mock: its origin plus what the suite reads. */
export interface WireServer extends Omit<ConformanceUpstream, "entry"> {
  origin: string;
}

const isErrorFeature = (feature: Feature): feature is ErrorFeature => feature.startsWith("error-");

/** Starts a Chat Completions mock for `host` on 127.0.0.1 and a free port. */
export function serveOpenAIWire(host: WireHost): WireServer {
  const violations: string[] = [];
  const requests: RecordedRequest[] = [];
  const abandoned: RecordedRequest[] = [];
  let served = 0;

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    // `abort` holds its stream open until the caller goes away, not until an idle timer fires.
    idleTimeout: 0,
    async fetch(request) {
      const { url, recorded, markAnswered, track } = await recordRequest(request, requests, abandoned);
      const { feature, problems } = host.route(recorded, url);
      if (feature && recorded.body !== undefined) problems.push(...checkChatBody(feature, recorded.body, host.params));
      if (recorded.body === undefined) problems.push(`the body is not JSON: ${recorded.bodyText.slice(0, 60)}`);
      if (!feature || problems.length > 0) {
        const label = feature ?? `(${url.pathname})`;
        if (!feature && problems.length === 0) problems.push("the request names no conformance feature");
        for (const problem of problems) violations.push(`${label}: ${problem}`);
        recorded.invalid = problems.join("; ");
        markAnswered();
        return host.invalid(problems.join("; "));
      }
      const seed = (FEATURES.indexOf(feature) + 1) * 7919 + served++;
      const headers = { ...host.headers, "x-conformance-seed": String(seed) };
      if (isErrorFeature(feature)) {
        markAnswered();
        return host.error(feature);
      }
      const body = recorded.body as Record<string, any>;
      const requested = typeof body.model === "string" ? body.model : "";
      const toolNames: string[] = (Array.isArray(body.tools) ? body.tools : []).map((tool: any) => tool.function.name);
      if (body.stream !== true) {
        markAnswered();
        return new Response(completionBody(feature, host.flavour, requested, seed, toolNames), { headers: { "content-type": "application/json", ...headers } });
      }
      const hold = feature === "abort";
      const frames = streamFrames(feature, host.flavour, requested, seed, { includeUsage: body.stream_options?.include_usage === true, holdAfterFirstText: hold }, toolNames);
      // A stream is answered once its last byte is read; a caller leaving before that is counted.
      return track(sseResponse(frames, seed, request.signal, hold, headers));
    },
  });

  return {
    origin: `http://127.0.0.1:${server.port}`,
    violations,
    aborted: () => abandoned.length,
    stop: async () => {
      await server.stop(true);
    },
  };
}

/** One header's value, lower-cased name. */
export const headerOf = (recorded: RecordedRequest, name: string): string => recorded.headers[name] ?? "";

/** The checks every host makes: POST with a JSON body. */
export function commonProblems(recorded: RecordedRequest): string[] {
  const problems: string[] = [];
  if (recorded.method !== "POST") problems.push(`method must be POST, got ${recorded.method}`);
  const type = headerOf(recorded, "content-type");
  if (!/^application\/json\s*(;|$)/i.test(type)) problems.push(`content-type must be application/json, got '${type}'`);
  return problems;
}
