import { GatewayError } from "../../canonical/errors.ts";

/** Google's OAuth token endpoint, used when a service-account file names none. */
export const GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token";

/** The fields of a Google service-account key file the gateway uses. */
export interface ServiceAccount {
  type: "service_account";
  /** Optional: a deployment's own `project` wins over it. */
  project_id?: string;
  /** Sent as the JWT `kid`, so Google picks the right public key at once. */
  private_key_id: string;
  /** PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), as Google issues it. */
  private_key: string;
  client_email: string;
  token_uri: string;
}

/** The error for an unusable credentials document; it names the problem, never the key. */
function invalid(problem: string): GatewayError {
  return new GatewayError(
    "provider.unauthenticated",
    `The Google service-account credentials ${problem}. Use the JSON key file downloaded from Google Cloud (IAM > Service accounts > Keys).`,
    { provider: "Vertex AI" },
  );
}

const REQUIRED = ["private_key_id", "private_key", "client_email"] as const;

/**
 * Parses a service-account JSON document. Errors name the missing or wrong field and never
 * contain the document's text (a JSON syntax error message could quote the private key).
 */
export function parseServiceAccount(text: string): ServiceAccount {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid("are not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw invalid("are not a JSON object");
  const fields = parsed as Record<string, unknown>;
  if (fields.type === undefined) throw invalid('are missing the field "type"');
  if (fields.type !== "service_account") {
    const kind = typeof fields.type === "string" ? `"${fields.type.slice(0, 40)}"` : "not a string";
    throw invalid(`have "type" ${kind}, not "service_account" (user and external-account credentials are not supported)`);
  }
  for (const field of REQUIRED) {
    const value = fields[field];
    if (value === undefined || value === null || value === "") throw invalid(`are missing the field "${field}"`);
    if (typeof value !== "string") throw invalid(`have a "${field}" that is not a string`);
  }
  const privateKey = fields.private_key as string;
  if (privateKey.includes("BEGIN RSA PRIVATE KEY")) throw invalid('have a PKCS#1 "private_key"; convert it to PKCS#8 (openssl pkcs8 -topk8 -nocrypt)');
  if (!privateKey.includes("-----BEGIN PRIVATE KEY-----")) throw invalid('have a "private_key" that is not a PEM private key');
  for (const field of ["project_id", "token_uri"] as const) {
    if (fields[field] !== undefined && typeof fields[field] !== "string") throw invalid(`have a "${field}" that is not a string`);
  }
  const tokenUri = typeof fields.token_uri === "string" && fields.token_uri !== "" ? fields.token_uri : GOOGLE_TOKEN_URI;
  if (!/^https?:\/\//.test(tokenUri)) throw invalid('have a "token_uri" that is not an http(s) URL');
  return {
    type: "service_account",
    ...(typeof fields.project_id === "string" && fields.project_id !== "" ? { project_id: fields.project_id } : {}),
    private_key_id: fields.private_key_id as string,
    private_key: privateKey,
    client_email: fields.client_email as string,
    token_uri: tokenUri,
  };
}
