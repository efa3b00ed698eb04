import { isRecord } from "../../json/is-record.ts";
import { GatewayError } from "../../canonical/errors.ts";
import { mapOpenAIError } from "../openai/errors.ts";
import { redactUpstreamText, removeSecrets } from "../redact.ts";

/** Azure's names for its filter categories, as a person would write them. */
const CATEGORY_NAMES: Readonly<Record<string, string>> = {
  self_harm: "self-harm",
  jailbreak: "jailbreak (prompt attack)",
  indirect_attack: "indirect prompt attack",
  protected_material_text: "protected material (text)",
  protected_material_code: "protected material (code)",
  custom_blocklists: "custom blocklist",
};

/**
 * Which categories of an Azure `content_filter_result(s)` object blocked the content, e.g.
 * `["hate (severity high)", "jailbreak (prompt attack) (detected)"]`. Severity categories carry
 * `severity`; detection categories (jailbreak, protected material, profanity) carry `detected`;
 * custom blocklists list the blocklist ids.
 */
export function filteredCategories(result: unknown): string[] {
  if (!isRecord(result)) return [];
  const out: string[] = [];
  for (const [category, verdict] of Object.entries(result)) {
    const name = CATEGORY_NAMES[category] ?? category.replace(/_/g, " ");
    if (Array.isArray(verdict)) {
      // Some versions send custom_blocklists as a bare array of {filtered, id}.
      const ids = verdict.filter((item) => isRecord(item) && item.filtered === true).map((item) => String((item as Record<string, unknown>).id ?? "?"));
      if (ids.length > 0) out.push(`${name} ${ids.join(", ")}`);
      continue;
    }
    if (!isRecord(verdict) || verdict.filtered !== true) continue;
    if (typeof verdict.severity === "string") out.push(`${name} (severity ${verdict.severity})`);
    else if (Array.isArray(verdict.details)) {
      const ids = verdict.details.filter((item) => isRecord(item) && item.filtered === true).map((item) => String((item as Record<string, unknown>).id ?? "?"));
      out.push(ids.length > 0 ? `${name} ${ids.join(", ")}` : name);
    } else out.push(verdict.detected === true ? `${name} (detected)` : name);
  }
  return out;
}

/** The `error` object of an Azure error body, if the body is one. */
function errorObject(body: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return isRecord(parsed) && isRecord(parsed.error) ? parsed.error : undefined;
  } catch {
    return undefined;
  }
}

/** The filter verdicts of a content-filter error, under any of the spellings API versions use. */
function filterResult(error: Record<string, unknown>): unknown {
  const inner = isRecord(error.innererror) ? error.innererror : isRecord(error.inner_error) ? error.inner_error : undefined;
  return inner?.content_filter_result ?? inner?.content_filter_results ?? error.content_filter_result ?? error.content_filter_results;
}

function isContentFilter(status: number, error: Record<string, unknown> | undefined): boolean {
  if (!error || (status !== 400 && status !== 422)) return false;
  const inner = isRecord(error.innererror) ? error.innererror : isRecord(error.inner_error) ? error.inner_error : {};
  return error.code === "content_filter" || inner.code === "ResponsibleAIPolicyViolation";
}

/** Advice appended to errors whose Azure message alone does not say what to fix. */
function hintFor(status: number, code: unknown): string {
  if (status === 404 && code === "DeploymentNotFound") {
    return " Check that the deployment's model is the Azure deployment name (not the model id) and that it exists in this resource.";
  }
  if (status === 404) return " Check api_base (the resource endpoint) and api_version.";
  if (status === 401) return " Check the deployment's api-key or Entra token and that api_base is the key's own resource.";
  return "";
}

/**
 * Maps an Azure OpenAI error answer to a GatewayError: OpenAI's mapping, plus a content-filter 400
 * becomes `provider.content_filtered` (the code that selects content_policy_fallbacks) naming the
 * categories and severities, and misconfiguration errors get a hint. `secrets` (the call's own key
 * or token) are removed from the message wherever the upstream echoed them.
 */
export function mapAzureError(label: string, status: number, body: string, headers: Headers, secrets: readonly (string | undefined)[] = []): GatewayError {
  const mapped = mapOpenAIError(label, status, body, headers);
  const error = errorObject(body);
  if (isContentFilter(status, error)) {
    const categories = filteredCategories(filterResult(error as Record<string, unknown>));
    const what = categories.length > 0 ? categories.join(", ") : "a content filter";
    // A 400 is always about the input (a filtered completion arrives as a 200 with finish_reason content_filter).
    const where = error?.param === "prompt" ? "the prompt" : "the request";
    const message = `${label} refused ${where}: Azure's content filter blocked it (${what}). Rephrase the request, or ask the resource owner to review the deployment's content filter.`;
    return new GatewayError("provider.content_filtered", removeSecrets(redactUpstreamText(message), secrets), { ...mapped.details, status: 400 });
  }
  const message = removeSecrets(`${mapped.message}${hintFor(status, error?.code)}`, secrets);
  return new GatewayError(mapped.code, message, mapped.details);
}
