/** Users: `/user/new`, `/user/info`, `/user/update`, `/user/list` (LiteLLM's paths and shapes). */
import { echo } from "../canonical/echo.ts";
import { Type } from "@sinclair/typebox";
import type { RouteSpec } from "../server/route-spec.ts";
import { notFound } from "./errors.ts";
import { keyJson, userJson } from "./present.ts";
import { UserInfoResponse, UserObject } from "./responses.ts";
import { NewUserBody, UpdateUserBody, UserInfoQuery } from "./schemas.ts";
import { userPatch, withoutNulls } from "./settings.ts";
import { MAX_LISTED_KEYS } from "./teams.ts";
import type { AdminContext } from "./types.ts";

/** The `/user/*` routes over `ctx`. */
export function userRoutes(ctx: AdminContext): RouteSpec[] {
  return [
    {
      method: "POST",
      paths: ["/user/new"],
      summary: "Create a user (its budget, limits and models apply to all its keys)",
      access: "admin",
      body: NewUserBody,
      response: UserObject,
      handle: async ({ body }) => {
        const { user_id: userId, ...fields } = body as NewUserBody;
        const user = await ctx.store.users.insert({ userId: userId ?? crypto.randomUUID(), ...withoutNulls(userPatch(fields)) });
        await ctx.afterWrite();
        return userJson(ctx, user);
      },
    },
    {
      method: "GET",
      paths: ["/user/info"],
      summary: "A user's settings, live spend and keys",
      access: "admin",
      query: UserInfoQuery,
      response: UserInfoResponse,
      handle: async ({ query }) => {
        const userId = query.user_id as string;
        const user = await ctx.store.users.byId(userId);
        if (!user) throw notFound(`No user '${echo(userId)}'.`, "user_id");
        const { keys } = await ctx.store.keys.list({ userId, limit: MAX_LISTED_KEYS, offset: 0 });
        return { user_id: user.userId, user_info: userJson(ctx, user), keys: keys.map((key) => keyJson(ctx, key)) };
      },
    },
    {
      method: "POST",
      paths: ["/user/update"],
      summary: "Change a user's settings (null clears a field)",
      access: "admin",
      body: UpdateUserBody,
      response: UserObject,
      handle: async ({ body }) => {
        const { user_id: userId, ...fields } = body as UpdateUserBody;
        const user = await ctx.store.users.update(userId, userPatch(fields));
        if (!user) throw notFound(`No user '${echo(userId)}'.`, "user_id");
        await ctx.afterWrite();
        return userJson(ctx, user);
      },
    },
    {
      method: "GET",
      paths: ["/user/list"],
      summary: "Every user",
      access: "admin",
      response: Type.Array(UserObject),
      handle: async () => (await ctx.store.users.all()).map((user) => userJson(ctx, user)),
    },
  ];
}
