/**
 * The trace thread: receives batches of finished calls from the request thread (tracing.ts) and
 * exports them (trace-export.ts). Parsing, span building and protobuf encoding all happen here,
 * never on the request thread.
 */
import { TraceExport } from "./trace-export.ts";
import type { TraceReply, TraceRequest } from "./trace-protocol.ts";

declare const self: Worker;

let pipeline: TraceExport | undefined;

const reply = (message: TraceReply) => self.postMessage(message);

self.onmessage = async (event: MessageEvent<TraceRequest>) => {
  const request = event.data;
  if (request.type === "open") {
    pipeline = new TraceExport(request.target);
    return;
  }
  const outcome = pipeline ? await pipeline.exportBatch(request.parts) : { exported: 0, failed: 0, error: "tracing was not opened" };
  reply({ type: "exported", id: request.id, ...outcome });
};
