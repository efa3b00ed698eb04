import type { CloudSettings } from "../../config/schema.ts";
import { anthropicOnVertex } from "./anthropic.ts";
import { geminiOnVertex } from "./gemini.ts";
import { readCredentials } from "./credentials.ts";
import { parseServiceAccount } from "./service-account.ts";
import { vertexHost, vertexPublisher } from "./urls.ts";
import type { Provider, Target } from "../types.ts";

/**
 * Completes a Vertex AI target: credentials (inline JSON, a file path, or GOOGLE_APPLICATION_CREDENTIALS),
 * project (config, VERTEXAI_PROJECT, else the service account's), location (config, VERTEXAI_LOCATION,
 * else us-central1) and the location's host unless api_base was set.
 */
function configureVertex(target: Target, settings: CloudSettings, env: Record<string, string | undefined>): string | undefined {
  const source = settings.vertex_credentials ?? env.GOOGLE_APPLICATION_CREDENTIALS;
  if (!source) return "Vertex AI needs a service account: set vertex_credentials (JSON or a file path) or export GOOGLE_APPLICATION_CREDENTIALS";
  let project: string | undefined;
  try {
    const text = readCredentials(source);
    project = parseServiceAccount(text).project_id;
    target.googleCredentials = text;
  } catch (error) {
    return `vertex_credentials: ${error instanceof Error ? error.message : String(error)}`;
  }
  project = settings.vertex_project ?? env.VERTEXAI_PROJECT ?? env.VERTEX_PROJECT ?? env.GOOGLE_CLOUD_PROJECT ?? project;
  if (!project) return "Vertex AI needs a project: set vertex_project (the service account names none)";
  const location = settings.vertex_location ?? env.VERTEXAI_LOCATION ?? env.VERTEX_LOCATION ?? "us-central1";
  try {
    if (!settings.api_base) target.apiBase = `https://${vertexHost(location)}`;
  } catch (error) {
    return `vertex_location: ${error instanceof Error ? error.message : String(error)}`;
  }
  target.project = project;
  target.region = location;
  return undefined;
}

const claudeOnVertex: Provider = { ...anthropicOnVertex, configure: configureVertex };

/** Vertex AI: Gemini models on Google's wire, Claude models on Anthropic's (so Anthropic clients keep the fast path). */
export const vertex: Provider = {
  ...geminiOnVertex,
  configure: configureVertex,
  variant: (model) => (vertexPublisher(model) === "anthropic" && !model.includes("*") ? claudeOnVertex : vertex),
};
