import { readFileSync } from "node:fs";
import { parseServiceAccount, type ServiceAccount } from "./service-account.ts";
import { sharedGoogleTokenSource, type GoogleTokenSource } from "./token-source.ts";

/** A service-account document given inline (JSON) or as the path of one; read once, at config load. */
export function readCredentials(value: string): string {
  const text = value.trim();
  if (text.startsWith("{")) return text;
  try {
    return readFileSync(text, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`cannot read the service-account file ${text}${code ? ` (${code})` : ""}`);
  }
}

const accounts = new Map<string, ServiceAccount>();

/** The token source for a deployment's credentials: parsed once, shared by every deployment with the same account. */
export function tokenSourceFor(credentials: string): GoogleTokenSource {
  let account = accounts.get(credentials);
  if (!account) {
    account = parseServiceAccount(credentials);
    accounts.set(credentials, account);
  }
  return sharedGoogleTokenSource(account, { fetch: (url, init) => fetch(url, init) });
}
