import type { TSchema } from "@sinclair/typebox";
import type { Server } from "bun";
import type { GatewayError } from "../canonical/errors.ts";
import type { Caller } from "../auth/caller.ts";
import type { RouteAccess } from "../auth/policy.ts";
import type { RawBody } from "./body.ts";

/** What a route handler receives. */
export interface RouteInput {
  request: Request;
  body: unknown;
  params: Record<string, string>;
  raw: () => RawBody;
  server: Server<unknown> | null | undefined;
  /** Who is calling (authenticated before the body is read). */
  caller: Caller;
  /** The query string's parameters, checked against `query` when the route declares it. */
  query: Record<string, string>;
}

/** A route as data: the app registers it and the OpenAPI document describes it. */
export interface RouteSpec {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** `:name` is one path segment; a last `:name*` is the rest of the path, `/` included (`/v1/models/:model*`). */
  paths: readonly string[];
  summary: string;
  body?: TSchema;
  /** The body may be absent or empty (it then reads as `{}`), as for `POST /key/{key}/regenerate`. */
  bodyOptional?: boolean;
  /** Query parameters (all strings on the wire; the schema may say which are required). */
  query?: TSchema;
  response: TSchema;
  /**
   * Who may call it (the management API), checked before the body is read: `admin` (proxy
   * admins), `admin-read` (also proxy_admin_viewer, for GET routes) or `self` (every key, narrowed
   * by the handler with auth/policy.ts), or `public` (no key needed nor read: a config
   * pass-through endpoint with `auth: false`). Absent: any authenticated caller (the proxy routes).
   */
  access?: RouteAccess;
  /**
   * Where this route's clients put their key when it is not a header every route reads (Gemini's
   * SDK: `x-goog-api-key`, or `?key=`); undefined falls back to those headers.
   */
  presentedKey?: (request: Request) => string | undefined;
  /** For streaming routes: what the text/event-stream answer to `stream: true` carries. */
  streams?: string;
  /** Renders this route's errors in its dialect's shape (default: OpenAI's). */
  renderError?: (error: GatewayError, headers?: Record<string, string>) => Response;
  /** The schema of those errors, for the OpenAPI document (default: OpenAI's). */
  errorSchema?: TSchema;
  handle(input: RouteInput): Promise<Response> | unknown;
}
