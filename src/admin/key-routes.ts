/** The `/key/*` routes (LiteLLM's paths and shapes). */
import type { AccessPolicy, KeyRoute } from "../auth/policy.ts";
import type { Caller } from "../auth/caller.ts";
import type { RouteSpec } from "../server/route-spec.ts";
import { decodePathParam } from "../server/url.ts";
import { invalid, notFound } from "./errors.ts";
import { deleteKeys, findKey, generateKey, listKeys, regenerateKey, resolveKeyRefs, updateKey } from "./keys.ts";
import { keyJson } from "./present.ts";
import { intParam, textParam } from "./query.ts";
import { DeletedKeys, GeneratedKey, KeyInfoResponse, KeyListResponse, KeyUpdateResponse } from "./responses.ts";
import { DeleteKeysBody, GenerateKeyBody, KEY_UNAPPLIED, KeyInfoQuery, KeyListQuery, KeyRefBody, UpdateKeyBody, type KeyFields } from "./schemas.ts";
import type { AdminContext } from "./types.ts";
import { objectPermissionWarnings } from "./object-permission.ts";
import { unappliedWarnings, withWarnings } from "./unapplied-fields.ts";

/** The answer's warnings: unapplied key fields, then unapplied object_permission fields. */
const keyWarnings = (body: object) => [...unappliedWarnings(body, KEY_UNAPPLIED), ...objectPermissionWarnings(body)];

/** `{ key, ...fields }` -> the fields alone. */
function fieldsOf<T extends { key: string }>(body: T): Omit<T, "key"> {
  const { key: _key, ...fields } = body;
  return fields;
}

/** Settings that say whose a key is and what binds it, as a body gives them (`null` clears). */
const placement = (body: KeyFields) => ({
  ...(body.user_id !== undefined ? { userId: body.user_id } : {}),
  ...(body.team_id !== undefined ? { teamId: body.team_id } : {}),
  ...(body.models != null ? { models: body.models } : {}),
  ...(body.blocked !== undefined ? { blocked: body.blocked } : {}),
  ...(body.object_permission !== undefined ? { objectPermission: body.object_permission } : {}),
});

/** The `/key/*` routes over `ctx`; `policy` narrows callers who are not proxy admins to their own keys. */
export function keyRoutes(ctx: AdminContext, policy: AccessPolicy): RouteSpec[] {
  /** The key `ref` names, once the caller may `route` it (and, with a body, place it so). */
  const ownedKey = async (caller: Caller, ref: string, route: KeyRoute, body?: KeyFields) => {
    const record = await findKey(ctx, ref);
    if (route === "/key/info") policy.readKey(caller, record);
    else policy.manageKey(caller, record, route);
    if (body) policy.placeKey(caller, placement(body), route, record);
    return record;
  };
  const generated = ({ key, record }: Awaited<ReturnType<typeof generateKey>>) => ({ key, token_id: record.token, ...keyJson(ctx, record) });
  const updated = (record: Parameters<typeof keyJson>[1]) => ({ key: record.token, ...keyJson(ctx, record) });
  const block = (blocked: boolean) => async (body: unknown) => {
    const { key } = body as KeyRefBody;
    return updated(await updateKey(ctx, key, { blocked }));
  };
  return [
    {
      method: "POST",
      paths: ["/key/generate"],
      summary: "Create a virtual key (the key is in this answer only); a user's key may create keys for itself and its teams",
      access: "self",
      body: GenerateKeyBody,
      response: GeneratedKey,
      handle: async ({ body, caller }) => {
        const request = body as GenerateKeyBody;
        const owner = policy.placeKey(caller, placement(request), "/key/generate");
        const answer = generated(await generateKey(ctx, owner === undefined || owner === null ? request : { ...request, user_id: owner }));
        return withWarnings(answer, keyWarnings(request));
      },
    },
    {
      method: "GET",
      paths: ["/key/info"],
      summary: "A key's settings and live spend (without ?key=, the calling key's own)",
      access: "self",
      query: KeyInfoQuery,
      response: KeyInfoResponse,
      handle: async ({ query, caller }) => {
        const ref = textParam(query, "key") ?? policy.keyOf(caller)?.token;
        if (ref === undefined) throw invalid("Name the key: /key/info?key=<key or token>.", "key");
        const record = await ownedKey(caller, ref, "/key/info");
        return { key: record.token, info: keyJson(ctx, record) };
      },
    },
    {
      method: "POST",
      paths: ["/key/update"],
      summary: "Change a key's settings (null clears a field)",
      access: "self",
      body: UpdateKeyBody,
      response: KeyUpdateResponse,
      handle: async ({ body, caller }) => {
        const request = body as UpdateKeyBody;
        await ownedKey(caller, request.key, "/key/update", fieldsOf(request));
        return withWarnings(updated(await updateKey(ctx, request.key, fieldsOf(request))), keyWarnings(request));
      },
    },
    {
      method: "POST",
      paths: ["/key/delete"],
      summary: "Delete keys (their spend rows stay)",
      access: "self",
      body: DeleteKeysBody,
      response: DeletedKeys,
      handle: async ({ body, caller }) => {
        const request = body as DeleteKeysBody;
        if (policy.isAdmin(caller)) return { deleted_keys: await deleteKeys(ctx, request.keys ?? [], request.key_aliases ?? []) };
        // Keys named outright must all be the caller's to delete; an alias names only the caller's own
        // keys that carry it (aliases are not unique, and other users' keys are none of its business).
        // What is checked is what is deleted: the tokens resolved here, not the alias looked up again.
        const named = await resolveKeyRefs(ctx, request.keys ?? [], []);
        for (const record of named) policy.manageKey(caller, record, "/key/delete");
        const aliased = (await resolveKeyRefs(ctx, [], request.key_aliases ?? [])).filter((record) => policy.mayManageKey(caller, record, "/key/delete"));
        const refs = [...(request.keys ?? []), ...aliased.filter((record) => !named.some((n) => n.token === record.token)).map((record) => record.token)];
        if (refs.length === 0 && request.key_aliases?.length) throw notFound("None of this caller's keys has the alias named.", "key_aliases");
        const deleted = await deleteKeys(ctx, refs, []);
        // Keys found by alias are reported by their alias, as for a proxy admin.
        return { deleted_keys: deleted.map((ref) => aliased.find((record) => record.token === ref)?.keyAlias ?? ref) };
      },
    },
    {
      method: "GET",
      paths: ["/key/list"],
      summary: "List keys (tokens; return_full_object=true for key objects); a user's key lists its own keys, or its team's",
      access: "self",
      query: KeyListQuery,
      response: KeyListResponse,
      handle: async ({ query, caller }) => {
        const page = intParam(query, "page", 1, 1, 1_000_000);
        const size = intParam(query, "size", 10, 1, 100);
        const keyAlias = textParam(query, "key_alias");
        const filter = { ...policy.keyListFilter(caller, { teamId: textParam(query, "team_id"), userId: textParam(query, "user_id") }), ...(keyAlias ? { keyAlias } : {}) };
        const result = await listKeys(ctx, filter, page, size);
        const full = query.return_full_object === "true";
        return {
          keys: result.keys.map((key) => (full ? keyJson(ctx, key) : key.token)),
          total_count: result.total,
          current_page: result.page,
          total_pages: result.pages,
        };
      },
    },
    { method: "POST", paths: ["/key/block"], summary: "Block a key (its calls get 401)", access: "admin", body: KeyRefBody, response: KeyUpdateResponse, handle: ({ body }) => block(true)(body) },
    { method: "POST", paths: ["/key/unblock"], summary: "Unblock a key", access: "admin", body: KeyRefBody, response: KeyUpdateResponse, handle: ({ body }) => block(false)(body) },
    {
      method: "POST",
      paths: ["/key/regenerate"],
      summary: "Replace a key with a new one: same settings and spend; the old key stops working at once",
      access: "self",
      body: UpdateKeyBody,
      response: GeneratedKey,
      handle: async ({ body, caller }) => {
        const request = body as UpdateKeyBody;
        await ownedKey(caller, request.key, "/key/regenerate", fieldsOf(request));
        return withWarnings(generated(await regenerateKey(ctx, request.key, fieldsOf(request))), keyWarnings(request));
      },
    },
    {
      method: "POST",
      paths: ["/key/:key/regenerate"],
      summary: "Replace a key with a new one (key or token in the path; optional body of key settings to change, as /key/generate takes)",
      access: "self",
      body: GenerateKeyBody,
      bodyOptional: true,
      response: GeneratedKey,
      handle: async ({ body, params, caller }) => {
        const ref = decodePathParam(params.key ?? "");
        if (!ref) throw invalid("Name the key to regenerate in the path: /key/{key}/regenerate.", "key");
        await ownedKey(caller, ref, "/key/regenerate", body as KeyFields);
        return withWarnings(generated(await regenerateKey(ctx, ref, body as KeyFields)), keyWarnings(body as KeyFields));
      },
    },
  ];
}
