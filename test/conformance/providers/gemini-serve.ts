/**
 * The request loop the two Gemini mocks share: record the request, take the service's verdict on
 * its address and credential, check the body (gemini-check.ts), then answer the feature
 * (gemini-wire.ts), buffered or as an event stream written in pieces split at random boundaries.
 */
import { recordRequest, type RecordedRequest } from "../../support/recording.ts";
import { seeded, splitRandomly } from "../../support/rechunk.ts";
import { featureOf, type Feature } from "../contract.ts";
import { checkGeminiBody, type GeminiFlavor } from "./gemini-check.ts";
import { geminiAbortEvent, geminiEvents, geminiFeatureError, geminiJson, googleError, invalidArgument, type AnswerIdentity } from "./gemini-wire.ts";

/** What the service made of a request's address and credential. */
export interface GeminiRoute {
  /** The model the URL names. */
  model: string;
  /** `:streamGenerateContent?alt=sse` rather than `:generateContent`. */
  stream: boolean;
  /** A wire problem found in the method, path, query or headers (answered 400). */
  problem?: string;
  /** The credential was refused with this answer; `expected` when the feature asked for that (error-401). */
  denied?: { response: Response; why: string; expected: boolean };
}

/** A service's judgement of a request's method, URL and headers. */
export type GeminiRouter = (method: string, url: URL, headers: Record<string, string>) => GeminiRoute;

/** The shared half of a Gemini mock. */
export interface GeminiServer {
  violations: string[];
  requests: RecordedRequest[];
  aborted: RecordedRequest[];
  /** Answers one generate request; `route` judges its URL and headers. */
  answer(request: Request, route: GeminiRouter): Promise<Response>;
}

const encoder = new TextEncoder();
const SSE_HEADERS = { "content-type": "text/event-stream", "cache-control": "no-cache", vary: "Origin, X-Origin, Referer", "x-content-type-options": "nosniff" };
const JSON_HEADERS = { "content-type": "application/json; charset=UTF-8", vary: "Origin, X-Origin, Referer", "x-content-type-options": "nosniff" };

/** Resolves when `signal` aborts (at once if it has). */
const untilAborted = (signal: AbortSignal) => new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));

/**
 * `pieces` one per pull; with `hold`, then silence until it aborts. Each piece waits a timer tick:
 * Bun coalesces writes made within one tick (`Bun.sleep(0)`, or a direct stream's `flush()`, still
 * reach the reader as one or two chunks), so only this makes every piece arrive on its own.
 */
function pieceStream(pieces: Uint8Array[], hold?: AbortSignal): ReadableStream<Uint8Array> {
  let next = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (next > 0) await Bun.sleep(1);
      const piece = pieces[next++];
      if (piece !== undefined) return controller.enqueue(piece);
      if (hold) await untilAborted(hold);
      controller.close();
    },
  });
}

/** A response id like Google's (23 characters of base64url), from the request's random source. */
function responseId(random: () => number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  return Array.from({ length: 23 }, () => alphabet[Math.floor(random() * 64)]).join("");
}

/** The shared request loop for one flavor of the Gemini wire. */
export function geminiServer(flavor: GeminiFlavor): GeminiServer {
  const violations: string[] = [];
  const requests: RecordedRequest[] = [];
  const aborted: RecordedRequest[] = [];
  /** Requests seen per model and mode: with them the seed, so a run's splits replay exactly. */
  const seen = new Map<string, number>();

  async function answer(request: Request, route: GeminiRouter): Promise<Response> {
    const { url, recorded, markAnswered, track } = await recordRequest(request, requests, aborted);
    const verdict = route(request.method, url, recorded.headers);
    const key = `${flavor}:${verdict.model}:${verdict.stream}`;
    const attempt = seen.get(key) ?? 0;
    seen.set(key, attempt + 1);
    const seed = Number(Bun.hash.wyhash(`${key}:${attempt}`) & 0xffffffffn);
    const feature = featureOf(verdict.model);
    const fail = (problem: string, response: Response = invalidArgument(problem)): Response => {
      recorded.invalid = problem;
      violations.push(`${feature ?? verdict.model}: ${problem}`);
      markAnswered();
      return response;
    };
    if (verdict.problem) return fail(verdict.problem);
    if (!feature) {
      const message = flavor === "gemini" ? `models/${verdict.model} is not found for API version v1beta, or is not supported for generateContent.` : `Publisher Model \`${verdict.model}\` was not found or your project does not have access to it.`;
      return fail(`unknown model ${verdict.model}`, googleError(404, "NOT_FOUND", message));
    }
    if (verdict.denied) {
      if (!verdict.denied.expected) return fail(verdict.denied.why, verdict.denied.response);
      markAnswered();
      return verdict.denied.response;
    }
    if (feature === "error-401") return fail("error-401 reached the mock with a valid credential (the deployment should carry a refused one)");
    if (recorded.body === undefined) return fail(`Invalid JSON payload received: ${recorded.bodyText.slice(0, 60)}`);
    const problem = checkGeminiBody(recorded.body, feature, flavor);
    if (problem) return fail(problem);
    const toolNames: string[] = (recorded.body.tools ?? []).flatMap((tool: Record<string, any>) => (tool.functionDeclarations ?? []).map((declaration: Record<string, any>) => declaration.name));
    return track(await respond(feature, verdict, request.signal, seed, toolNames));
  }

  function respond(feature: Feature, verdict: GeminiRoute, signal: AbortSignal, seed: number, toolNames: readonly string[]): Response | Promise<Response> {
    if (feature === "error-400" || feature === "error-429" || feature === "error-500") return geminiFeatureError(feature, flavor);
    const random = seeded(seed);
    const who: AnswerIdentity = { model: verdict.model, responseId: responseId(random), createTime: new Date().toISOString().replace("Z", "412Z") };
    const headers = { "x-mock-seed": String(seed) };
    if (feature === "abort") {
      if (!verdict.stream) return untilAborted(signal).then(() => new Response(null, { status: 499 }));
      return new Response(pieceStream(splitRandomly(encoder.encode(geminiAbortEvent(flavor, who)), random), signal), { headers: { ...SSE_HEADERS, ...headers } });
    }
    if (!verdict.stream) return new Response(geminiJson(feature, flavor, who, toolNames), { headers: { ...JSON_HEADERS, ...headers } });
    const bytes = encoder.encode(geminiEvents(feature, flavor, who, toolNames).join(""));
    return new Response(pieceStream(splitRandomly(bytes, random)), { headers: { ...SSE_HEADERS, ...headers } });
  }

  return { violations, requests, aborted, answer };
}

/** Splits `.../models/{model}:{method}` into its model and method; undefined when the path is not a model method. */
export function modelMethod(path: string, prefix: string): { model: string; method: string } | undefined {
  if (!path.startsWith(prefix)) return undefined;
  const match = /^([^/:]+):([A-Za-z]+)$/.exec(decodeURIComponent(path.slice(prefix.length)));
  return match ? { model: match[1] as string, method: match[2] as string } : undefined;
}

/** The checks both services make of a generate call's method, path, query and content type; returns the route without credential verdict. */
export function generateRoute(method: string, url: URL, headers: Record<string, string>, prefix: string): GeminiRoute {
  const target = modelMethod(url.pathname, prefix);
  if (!target) return { model: url.pathname, stream: false, problem: `unknown path ${url.pathname} (expected ${prefix}{model}:generateContent)` };
  const stream = target.method === "streamGenerateContent";
  const route: GeminiRoute = { model: target.model, stream };
  const alt = url.searchParams.get("alt");
  if (method !== "POST") route.problem = `method must be POST, got ${method}`;
  else if (target.method !== "generateContent" && !stream) route.problem = `unknown method :${target.method}`;
  else if (stream && alt !== "sse") route.problem = `:streamGenerateContent needs ?alt=sse for server-sent events (without it Google streams one JSON array), got alt=${alt}`;
  else if (!stream && alt !== null && alt !== "json") route.problem = `:generateContent with alt=${alt}`;
  else if (!/^application\/json\s*(;|$)/i.test(headers["content-type"] ?? "")) route.problem = `content-type must be application/json, got '${headers["content-type"] ?? ""}'`;
  return route;
}
