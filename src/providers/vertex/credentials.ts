import { readFileSync } from "node:fs";
import { parseServiceAccount, type ServiceAccount } from "./service-account.ts";
import { sharedGoogleTokenSource, type GoogleTokenSource } from "./token-source.ts";

/** Looks like a file path (not a pasted key): an error may name it. */
const PATH_LIKE = /^(?:\/|\.{1,2}\/|~\/|[A-Za-z]:\\)\S*$|^\S+\.json$/;

/** A service-account document given inline (JSON) or as the path of one; read once, at config load. */
export function readCredentials(value: string): string {
  const text = value.trim();
  if (text.startsWith("{")) return text;
  try {
    return readFileSync(text, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const suffix = code ? ` (${code})` : "";
    // A value that is not path-shaped may be a key pasted in the wrong form: never repeat it.
    if (text.length > 1024 || !PATH_LIKE.test(text)) throw new Error(`is neither a JSON document (starting with '{') nor the path of a readable file${suffix}; the value is not shown, as it may be a secret`);
    throw new Error(`cannot read the service-account file ${text}${suffix}`);
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
