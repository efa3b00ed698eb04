/**
 * What the test upstreams (mock-upstream.ts, mock-anthropic.ts) share: recording each request as it
 * arrived, and noticing a caller that goes away before the answer is complete.
 */

/** One request a mock received, as it arrived. */
export interface RecordedRequest {
  method: string;
  /** Path after the origin, e.g. `/v1/chat/completions`. */
  path: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  bodyText: string;
  /** The parsed body (undefined if it was not JSON). */
  body: any;
  /** Why the mock rejected the request; undefined when it was valid. */
  invalid?: string;
  /** Set when the caller went away before the answer was complete. */
  aborted: boolean;
}

/** A request being answered: what was recorded, and how its answer is tracked. */
export interface Recording {
  url: URL;
  recorded: RecordedRequest;
  /** The answer is complete: a later abort no longer counts. */
  markAnswered(): void;
  /**
   * Tracks an answer: one that is not an event stream is complete at once; a stream is complete
   * when its last byte has been read, and a cancel before that counts as an abort.
   */
  track(response: Response): Response;
}

/**
 * Reads and records `request` (appended to `requests`), and appends it to `aborted` once if the
 * caller goes away before the answer is marked complete.
 */
export async function recordRequest(request: Request, requests: RecordedRequest[], aborted: RecordedRequest[]): Promise<Recording> {
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => (headers[name.toLowerCase()] = value));
  const bodyText = await request.text();
  let body: any;
  try {
    body = JSON.parse(bodyText);
  } catch {
    body = undefined;
  }
  const recorded: RecordedRequest = { method: request.method, path: url.pathname, headers, bodyText, body, aborted: false };
  requests.push(recorded);
  let answered = false;
  const onAbort = () => {
    if (answered || recorded.aborted) return;
    recorded.aborted = true;
    aborted.push(recorded);
  };
  if (request.signal.aborted) onAbort();
  else request.signal.addEventListener("abort", onAbort, { once: true });

  const markAnswered = () => {
    answered = true;
  };
  const track = (response: Response): Response => {
    if (!response.body || !(response.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
      markAnswered();
      return response;
    }
    const reader = response.body.getReader();
    const tracked = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            markAnswered();
            controller.close();
          } else controller.enqueue(value);
        } catch (error) {
          controller.error(error);
        }
      },
      cancel(reason) {
        onAbort();
        return reader.cancel(reason);
      },
    });
    return new Response(tracked, { status: response.status, headers: response.headers });
  };
  return { url, recorded, markAnswered, track };
}
