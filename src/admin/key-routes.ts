/** The `/key/*` routes (LiteLLM's paths and shapes). */
import type { RouteSpec } from "../server/route-spec.ts";
import { decodePathParam } from "../server/url.ts";
import { invalid } from "./errors.ts";
import { deleteKeys, findKey, generateKey, listKeys, regenerateKey, updateKey } from "./keys.ts";
import { keyJson } from "./present.ts";
import { intParam, textParam } from "./query.ts";
import { DeletedKeys, GeneratedKey, KeyInfoResponse, KeyListResponse, KeyUpdateResponse } from "./responses.ts";
import { DeleteKeysBody, GenerateKeyBody, KeyInfoQuery, KeyListQuery, KeyRefBody, UpdateKeyBody, type KeyFields } from "./schemas.ts";
import type { AdminContext } from "./types.ts";

/** `{ key, ...fields }` -> the fields alone. */
function fieldsOf<T extends { key: string }>(body: T): Omit<T, "key"> {
  const { key: _key, ...fields } = body;
  return fields;
}

/** The `/key/*` routes over `ctx`. */
export function keyRoutes(ctx: AdminContext): RouteSpec[] {
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
      summary: "Create a virtual key (the key is in this answer only)",
      access: "admin",
      body: GenerateKeyBody,
      response: GeneratedKey,
      handle: async ({ body }) => generated(await generateKey(ctx, body as GenerateKeyBody)),
    },
    {
      method: "GET",
      paths: ["/key/info"],
      summary: "A key's settings and live spend",
      access: "admin",
      query: KeyInfoQuery,
      response: KeyInfoResponse,
      handle: async ({ query }) => {
        const record = await findKey(ctx, query.key as string);
        return { key: record.token, info: keyJson(ctx, record) };
      },
    },
    {
      method: "POST",
      paths: ["/key/update"],
      summary: "Change a key's settings (null clears a field)",
      access: "admin",
      body: UpdateKeyBody,
      response: KeyUpdateResponse,
      handle: async ({ body }) => {
        const request = body as UpdateKeyBody;
        return updated(await updateKey(ctx, request.key, fieldsOf(request)));
      },
    },
    {
      method: "POST",
      paths: ["/key/delete"],
      summary: "Delete keys (their spend rows stay)",
      access: "admin",
      body: DeleteKeysBody,
      response: DeletedKeys,
      handle: async ({ body }) => {
        const request = body as DeleteKeysBody;
        return { deleted_keys: await deleteKeys(ctx, request.keys ?? [], request.key_aliases ?? []) };
      },
    },
    {
      method: "GET",
      paths: ["/key/list"],
      summary: "List keys (tokens; return_full_object=true for key objects)",
      access: "admin",
      query: KeyListQuery,
      response: KeyListResponse,
      handle: async ({ query }) => {
        const page = intParam(query, "page", 1, 1, 1_000_000);
        const size = intParam(query, "size", 10, 1, 100);
        const teamId = textParam(query, "team_id");
        const userId = textParam(query, "user_id");
        const keyAlias = textParam(query, "key_alias");
        const filter = { ...(teamId ? { teamId } : {}), ...(userId ? { userId } : {}), ...(keyAlias ? { keyAlias } : {}) };
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
      access: "admin",
      body: UpdateKeyBody,
      response: GeneratedKey,
      handle: async ({ body }) => {
        const request = body as UpdateKeyBody;
        return generated(await regenerateKey(ctx, request.key, fieldsOf(request)));
      },
    },
    {
      method: "POST",
      paths: ["/key/:key/regenerate"],
      summary: "Replace a key with a new one (key or token in the path; optional body of key settings to change, as /key/generate takes)",
      access: "admin",
      body: GenerateKeyBody,
      bodyOptional: true,
      response: GeneratedKey,
      handle: async ({ body, params }) => {
        const ref = decodePathParam(params.key ?? "");
        if (!ref) throw invalid("Name the key to regenerate in the path: /key/{key}/regenerate.", "key");
        return generated(await regenerateKey(ctx, ref, body as KeyFields));
      },
    },
  ];
}
