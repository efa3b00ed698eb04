import { timingSafeEqual } from "node:crypto";
import { GatewayError } from "../canonical/errors.ts";
import { MASTER_CALLER, OPEN_CALLER, type Caller } from "./caller.ts";
import type { AccountDirectory } from "./directory.ts";
import { looksLikeVirtualKey } from "./key-material.ts";
import type { KeyRecord } from "../store/types.ts";

/**
 * The key a client presented, in LiteLLM's order: `x-litellm-api-key` or `x-switchboard-api-key`
 * (for clients, MCP ones mostly, that keep `Authorization` for something else: these win over it),
 * then `Authorization: Bearer <key>` (OpenAI SDK), then `api-key` (Azure OpenAI SDK), then
 * `x-api-key` (Anthropic SDK). An empty header counts as absent.
 */
export function presentedKey(headers: Headers): string | undefined {
  const dedicated = headers.get("x-litellm-api-key")?.trim() || headers.get("x-switchboard-api-key")?.trim();
  if (dedicated) return /^Bearer\s+(.+)$/i.exec(dedicated)?.[1]?.trim() || dedicated;
  const authorization = headers.get("authorization");
  if (authorization) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    return match ? (match[1] as string).trim() : undefined;
  }
  return headers.get("api-key")?.trim() || headers.get("x-api-key")?.trim() || undefined;
}

/** SHA-256 of a key; the one-shot hasher is several times cheaper than a hasher object per call. */
const digest = (value: string): Buffer => {
  const bytes = Bun.SHA256.hash(value) as Uint8Array;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
};

/** The Caller last made for each key record. */
const callers = new WeakMap<KeyRecord, Caller>();

/** Each cached key's token as bytes, made once, for the constant-time comparison. */
const tokenBytes = new WeakMap<KeyRecord, Buffer>();
function bytesOf(key: KeyRecord): Buffer {
  let bytes = tokenBytes.get(key);
  if (!bytes) tokenBytes.set(key, (bytes = Buffer.from(key.token, "hex")));
  return bytes;
}

const unauthenticated = (message: string) => new GatewayError("policy.unauthenticated", message);

/**
 * Who may call: resolves the presented key to a Caller, or throws a 401. `routeKey` is the key a
 * route found where its clients' SDK puts it (Gemini's `x-goog-api-key` or `?key=`); without it
 * the key is read from the headers every route takes (`presentedKey`).
 */
export type Authenticate = (headers: Headers, routeKey?: string) => Caller | Promise<Caller>;

/**
 * Builds the authenticator. With a master key, every call needs a key: the master key (compared
 * as digests, constant-time and length-independent) or a live virtual key. Without one the
 * gateway is open, but a virtual key that is presented is still honoured, so its limits, budget
 * and spend apply.
 */
export function authenticator(masterKey: string | undefined, directory: AccountDirectory | undefined, now: () => number = Date.now): Authenticate {
  const master = masterKey ? digest(masterKey) : undefined;
  const resolveVirtual = (presented: Buffer, found: KeyRecord | undefined): Caller => {
    if (!found || !timingSafeEqual(bytesOf(found), presented)) throw unauthenticated("Invalid API key.");
    if (found.blocked) throw unauthenticated(`This key (${found.keyAlias ?? found.keyName}) is blocked. Ask an administrator to unblock it.`);
    if (found.expiresAt !== undefined && found.expiresAt <= now()) {
      throw unauthenticated(`This key (${found.keyAlias ?? found.keyName}) expired at ${new Date(found.expiresAt).toISOString()}.`);
    }
    const team = directory?.team(found.teamId);
    if (team?.blocked) throw unauthenticated(`This key's team '${team.teamId}' is blocked.`);
    const organization = directory?.organization(team?.organizationId);
    if (organization?.blocked) throw unauthenticated(`This key's organization '${organization.organizationId}' is blocked.`);
    const user = directory?.user(found.userId);
    if (user?.blocked) throw unauthenticated(`This key's user '${user.userId}' is blocked.`);
    // One Caller per (key, team, user, organisation) records: what is derived from it is cached on it.
    const cached = callers.get(found);
    if (cached && cached.kind === "key" && cached.team === team && cached.user === user && cached.organization === organization) return cached;
    const caller: Caller = { kind: "key", key: found, ...(team ? { team } : {}), ...(user ? { user } : {}), ...(organization ? { organization } : {}) };
    callers.set(found, caller);
    return caller;
  };
  return (headers, routeKey) => {
    const key = routeKey ?? presentedKey(headers);
    if (!key) {
      if (!master) return OPEN_CALLER;
      throw unauthenticated("Missing API key. Send it as 'Authorization: Bearer <key>'.");
    }
    // An open gateway ignores keys that cannot be virtual keys, without hashing them.
    if (!master && (!directory || !looksLikeVirtualKey(key))) return OPEN_CALLER;
    // One digest serves both checks: against the master key, and as the virtual key's token.
    const presented = digest(key);
    if (master && timingSafeEqual(presented, master)) return MASTER_CALLER;
    // Anything not shaped like a virtual key is refused without touching the store.
    if (!directory || !looksLikeVirtualKey(key)) throw unauthenticated("Invalid API key.");
    const token = presented.toString("hex");
    const cached = directory.cached(token);
    if (cached) return resolveVirtual(presented, cached);
    return directory.find(token).then((found) => {
      if (!found && !master) return OPEN_CALLER;
      return resolveVirtual(presented, found);
    });
  };
}
