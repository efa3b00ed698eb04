/**
 * Key operations shared by the management API and `switchboard keys`: one implementation of
 * creating, reading, changing and deleting keys, whoever asks.
 */
import { isToken, maskKey, newVirtualKey, tokenFromKeyOrToken } from "../auth/key-material.ts";
import type { KeyListFilter, KeyPatch, KeyRecord } from "../store/types.ts";
import { invalid, notFound } from "./errors.ts";
import type { KeyFields } from "./schemas.ts";
import { keyPatch, withoutNulls } from "./settings.ts";
import type { AdminContext } from "./types.ts";
import { echo } from "../canonical/echo.ts";

/** How a key reference is shown in messages: never the full key. */
export function describeKeyRef(ref: string): string {
  return isToken(ref) ? `token ${ref.slice(0, 12)}...` : maskKey(ref);
}

/** The team a key names must exist (the user is created when missing, as LiteLLM does). */
async function requireTeam(ctx: AdminContext, patch: KeyPatch): Promise<void> {
  if (typeof patch.teamId !== "string") return;
  if (!(await ctx.store.teams.byId(patch.teamId))) {
    throw invalid(`Team '${echo(patch.teamId)}' does not exist; create it first (POST /team/new).`, "team_id");
  }
}

/** A key by key or token, or a 404. */
export async function findKey(ctx: AdminContext, ref: string, param = "key"): Promise<KeyRecord> {
  const key = await ctx.store.keys.byToken(tokenFromKeyOrToken(ref));
  if (!key) throw notFound(`No key matches ${describeKeyRef(ref)}.`, param);
  return key;
}

/** Creates a key; the returned `key` is the only time the secret exists outside the caller's hands. */
export async function generateKey(ctx: AdminContext, body: KeyFields): Promise<{ key: string; record: KeyRecord }> {
  const patch = keyPatch(body, ctx.now());
  await requireTeam(ctx, patch);
  const material = newVirtualKey();
  const record = await ctx.store.keys.insert({ token: material.token, keyName: material.keyName, ...withoutNulls(patch) });
  await ctx.afterWrite();
  return { key: material.key, record };
}

/** Changes a key's settings (null clears a field), or a 404. */
export async function updateKey(ctx: AdminContext, ref: string, body: KeyFields): Promise<KeyRecord> {
  const patch = keyPatch(body, ctx.now());
  await requireTeam(ctx, patch);
  const record = await ctx.store.keys.update(tokenFromKeyOrToken(ref), patch);
  if (!record) throw notFound(`No key matches ${describeKeyRef(ref)}.`, "key");
  await ctx.afterWrite();
  return record;
}

/**
 * Replaces a key with a new one: same settings (plus any changes in `body`) and spend, new secret.
 * The old key stops working as soon as this returns.
 */
export async function regenerateKey(ctx: AdminContext, ref: string, body: KeyFields): Promise<{ key: string; record: KeyRecord }> {
  const patch = keyPatch(body, ctx.now());
  await requireTeam(ctx, patch);
  // Queued spend rows name the old token: store them first so their cost moves with the key.
  await ctx.flushSpend();
  const material = newVirtualKey();
  const record = await ctx.store.keys.replaceToken(tokenFromKeyOrToken(ref), { token: material.token, keyName: material.keyName }, Object.keys(patch).length > 0 ? patch : undefined);
  if (!record) throw notFound(`No key matches ${describeKeyRef(ref)}.`, "key");
  await ctx.afterWrite();
  return { key: material.key, record };
}

/** The existing keys named by key, token or alias (unknown ones are left out). */
export async function resolveKeyRefs(ctx: AdminContext, refs: readonly string[], aliases: readonly string[]): Promise<KeyRecord[]> {
  const found = new Map<string, KeyRecord>();
  for (const ref of refs) {
    const key = await ctx.store.keys.byToken(tokenFromKeyOrToken(ref));
    if (key) found.set(key.token, key);
  }
  for (const alias of aliases) {
    const { keys } = await ctx.store.keys.list({ keyAlias: alias, limit: 10_000, offset: 0 });
    for (const key of keys) found.set(key.token, key);
  }
  return [...found.values()];
}

/**
 * Deletes keys named by key, token or alias (their spend rows stay); returns the references that
 * matched a key, as given. A 404 when none did.
 */
export async function deleteKeys(ctx: AdminContext, refs: readonly string[], aliases: readonly string[] = []): Promise<string[]> {
  const byToken = new Map<string, string>();
  for (const ref of refs) byToken.set(tokenFromKeyOrToken(ref), ref);
  for (const alias of aliases) {
    const { keys } = await ctx.store.keys.list({ keyAlias: alias, limit: 10_000, offset: 0 });
    for (const key of keys) byToken.set(key.token, alias);
  }
  if (byToken.size === 0) throw invalid("Name the keys to delete: 'keys' (keys or tokens) or 'key_aliases'.", "keys");
  const deleted = await ctx.store.keys.delete([...byToken.keys()]);
  if (deleted.length === 0) throw notFound(`None of the ${byToken.size} key(s) named exist.`, "keys");
  await ctx.afterWrite();
  return [...new Set(deleted.map((token) => byToken.get(token) ?? token))];
}

/** One page of keys, LiteLLM-style (pages from 1). */
export async function listKeys(
  ctx: AdminContext,
  filter: Omit<KeyListFilter, "limit" | "offset">,
  page: number,
  size: number,
): Promise<{ keys: KeyRecord[]; total: number; page: number; pages: number }> {
  const { keys, total } = await ctx.store.keys.list({ ...filter, limit: size, offset: (page - 1) * size });
  return { keys, total, page, pages: Math.ceil(total / size) };
}
