/**
 * The Azure OpenAI wire as LiteLLM serves it (`/openai/deployments/{deployment}/…`), so Azure's
 * own clients can use the gateway. The body is OpenAI's; what differs is where the model comes
 * from (the path's deployment, over any `model` in the body, as LiteLLM does), the `api-version`
 * query parameter (accepted and ignored) and the key's header (`api-key`, read by auth for every
 * route). The call then runs through the /v1 handlers unchanged.
 */
import { Type, type TObject } from "@sinclair/typebox";
import { callInput, type CallInput } from "../../calls/scope.ts";
import { editTopLevel } from "../../json/top-level.ts";
import type { RouteInput } from "../../server/route-spec.ts";
import { decodePathParam } from "../../server/url.ts";

export const AzureQuerySchema = Type.Object({
  "api-version": Type.Optional(Type.String({ description: "Accepted and ignored: the gateway speaks one version of the wire." })),
});

/** A /v1 request schema for a deployment path: `model` may be absent (Azure's REST API sends none) and is ignored when present. */
export function deploymentBody(schema: TObject): TObject {
  const { model: _ignored, ...properties } = schema.properties;
  return Type.Object({ ...properties, model: Type.Optional(Type.Unknown({ description: "Ignored: the deployment in the path names the model." })) }, { additionalProperties: true });
}

/**
 * The call's input with the path's deployment as its model, in the parsed body and in the text a
 * same-format call forwards (which would otherwise carry the client's own `model`, or none).
 */
export function deploymentCallInput(input: RouteInput): CallInput {
  const call = callInput(input);
  const model = decodePathParam(input.params.deployment ?? "");
  if (call.body.model === model) return call;
  return { ...call, body: { ...call.body, model }, raw: { ...call.raw, text: editTopLevel(call.raw.text, { set: { model: JSON.stringify(model) } }) } };
}
