/**
 * InvokeModelWithResponseStream's events: each `chunk` event's payload is `{"bytes": "<base64>"}`,
 * the bytes being one event of the model's own stream as JSON (an Anthropic Messages stream event
 * for Claude, `{"generation": …}` for Llama, `{"contentBlockDelta": …}` for Nova). The last one
 * also carries `amazon-bedrock-invocationMetrics`, Bedrock's token counts for the call.
 */
import { isRecord } from "../../json/is-record.ts";

/** The field of the last chunk that holds Bedrock's counts for the whole call. */
export const INVOCATION_METRICS = "amazon-bedrock-invocationMetrics";

/** The model event a chunk payload carries, as JSON text; undefined for any other payload. */
export function chunkJson(payload: unknown): string | undefined {
  if (!isRecord(payload) || typeof payload.bytes !== "string") return undefined;
  return Buffer.from(payload.bytes, "base64").toString("utf8");
}
