/** What the provider modules share: API roots, credentials from the registry, the model a body names. */
import type { Provider } from "../../providers/types.ts";
import type { CallKind, CallShape, CredentialSource, NativeWire, PassthroughUpstream } from "../types.ts";

/** `base` without a trailing `/` and without the first of `suffixes` it ends in (`…/v1` -> `…`). */
export function withoutSuffix(base: string, suffixes: readonly string[]): string {
  const trimmed = base.replace(/\/+$/, "");
  for (const suffix of suffixes) if (trimmed.endsWith(suffix)) return trimmed.slice(0, -suffix.length);
  return trimmed;
}

/** A registry provider's environment variables, default base and price sources. */
export function credentialsOf(provider: Provider): CredentialSource {
  return {
    providerId: provider.id,
    apiKeyEnv: provider.apiKeyEnv,
    apiBaseEnv: provider.apiBaseEnv,
    ...(provider.defaultApiBase ? { defaultBase: provider.defaultApiBase } : {}),
    priceSources: (provider.priceSources ?? []).map((source) => source.id),
  };
}

/**
 * A JSON object's `model`, or its member named so in another case (`Model`: some parsers, Go's,
 * match names without regard to case; two such members were refused with the body); undefined
 * when it is not a non-empty string.
 */
export function modelField(object: Record<string, unknown> | undefined): string | undefined {
  if (!object) return undefined;
  let model = object.model;
  if (model === undefined) {
    for (const key in object) if (key.toLowerCase() === "model") model = object[key];
  }
  return typeof model === "string" && model !== "" ? model : undefined;
}

/** The body's model (`modelField`), as a list. */
export function bodyModel(fields: Record<string, unknown> | undefined): string[] | undefined {
  const model = modelField(fields);
  return model === undefined ? undefined : [model];
}

/** A call of `kind` naming the body's model, streaming when the body asks. */
export function bodyCall(kind: CallKind, fields: Record<string, unknown> | undefined, wire?: NativeWire): CallShape {
  const models = bodyModel(fields);
  return { kind, stream: fields?.stream === true, ...(models ? { bodyModels: models } : {}), ...(wire ? { wire } : {}) };
}

/** `Authorization: Bearer <key>`, when the upstream has a key. */
export function bearer(upstream: PassthroughUpstream): Record<string, string> {
  const key = upstream.target.apiKey;
  return key ? { authorization: `Bearer ${key}` } : {};
}
