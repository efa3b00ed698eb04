import SwaggerParser from "@apidevtools/swagger-parser";
import { readFile } from "node:fs/promises";
import { readCapped } from "./read-capped.ts";
import { guardedFetch } from "../ssrf.ts";
import { METHODS, type NamedOperation } from "./naming.ts";

type Json = Record<string, unknown>;

/** One parameter of an operation as a tool argument: where it goes and under which name. */
export interface Parameter {
  in: "path" | "query" | "header" | "cookie";
  name: string;
  required: boolean;
  schema: Json;
  description?: string;
}

/** One operation of a document, $refs resolved, with what a call needs. */
export interface Operation extends NamedOperation {
  summary?: string;
  parameters: Parameter[];
  /** The request body: its media type and schema (Swagger 2's body or formData parameters too). */
  body?: { mediaType: string; schema: Json; required: boolean };
}

/** A parsed document: its operations in document order and the base URL it names (if any). */
export interface ApiSpec {
  operations: Operation[];
  baseUrl?: string;
}

/** Larger documents are refused: parsing them would hold the server's first call (and memory) for long. */
const MAX_SPEC_BYTES = 20_000_000;

const asJson = (value: unknown): Json | undefined => (value && typeof value === "object" && !Array.isArray(value) ? (value as Json) : undefined);

/** Reads a document from a file or an http(s) URL (under the SSRF rules), JSON or YAML. */
export async function readSpecText(specPath: string, allowedHosts: readonly string[]): Promise<{ text: string; url?: URL }> {
  if (/^https?:\/\//i.test(specPath)) {
    const url = new URL(specPath);
    const response = await guardedFetch(url, { signal: AbortSignal.timeout(30_000), headers: { accept: "application/json, application/yaml, text/yaml, */*" } }, allowedHosts);
    if (!response.ok) throw new Error(`fetching the OpenAPI document answered HTTP ${response.status}`);
    const { text, cut } = await readCapped(response, MAX_SPEC_BYTES);
    if (cut) throw new Error(`the OpenAPI document is larger than ${MAX_SPEC_BYTES / 1_000_000} MB`);
    return { text, url };
  }
  return { text: await readFile(specPath, "utf8") };
}

/** A server's document, from its inline `spec` or its `spec_path`, under the server's SSRF allowance. */
export async function loadSpec(entry: { spec?: Json | undefined; spec_path?: string | undefined; allow_private_hosts?: readonly string[] | undefined }): Promise<ApiSpec> {
  if (entry.spec) return parseSpec(entry.spec);
  if (!entry.spec_path) throw new Error("the server has neither spec_path nor spec");
  const { text, url } = await readSpecText(entry.spec_path, entry.allow_private_hosts ?? []);
  return parseSpec(text, url);
}

/** Parses a document (JSON or YAML text, or an object) and resolves its internal $refs; external ones are not fetched. */
export async function parseSpec(source: string | Json, from?: URL): Promise<ApiSpec> {
  const raw = typeof source === "string" ? parseText(source) : structuredClone(source);
  const document = asJson(raw);
  if (!document || (typeof document.openapi !== "string" && document.swagger !== "2.0")) throw new Error("not an OpenAPI 3.x or Swagger 2.0 document");
  const resolved = (await SwaggerParser.dereference(document as never, { resolve: { external: false }, dereference: { circular: "ignore" } } as never)) as unknown as Json;
  return { operations: operationsOf(resolved), ...baseUrlOf(resolved, from) };
}

/** JSON first (most documents, and much faster), else YAML. */
function parseText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return Bun.YAML.parse(text);
  }
}

function baseUrlOf(document: Json, from: URL | undefined): { baseUrl?: string } {
  if (document.swagger === "2.0") {
    const host = typeof document.host === "string" ? document.host : from?.host;
    if (!host) return {};
    const schemes = Array.isArray(document.schemes) ? document.schemes : [];
    const scheme = schemes.includes("https") ? "https" : (schemes[0] ?? from?.protocol.replace(":", "") ?? "https");
    return { baseUrl: `${scheme}://${host}${typeof document.basePath === "string" ? document.basePath : ""}` };
  }
  const server = asJson(Array.isArray(document.servers) ? document.servers[0] : undefined);
  if (!server || typeof server.url !== "string") return from ? { baseUrl: from.origin } : {};
  // Server variables take their defaults; a relative server URL is relative to where the document came from.
  const variables = asJson(server.variables) ?? {};
  const url = server.url.replace(/\{([^}]+)\}/g, (whole, name: string) => String(asJson(variables[name])?.default ?? whole));
  if (/^https?:\/\//i.test(url)) return { baseUrl: url };
  return from ? { baseUrl: new URL(url, from).href } : {};
}

function operationsOf(document: Json): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(asJson(document.paths) ?? {})) {
    const pathItem = asJson(item) ?? {};
    const shared = Array.isArray(pathItem.parameters) ? pathItem.parameters : [];
    for (const method of METHODS) {
      const operation = asJson(pathItem[method]);
      if (!operation) continue;
      // An operation's parameter overrides the path item's of the same name and place.
      const own = Array.isArray(operation.parameters) ? operation.parameters : [];
      const all = [...shared, ...own].map(asJson).filter((p): p is Json => !!p);
      const byKey = new Map(all.map((p) => [`${String(p.in)}:${String(p.name)}`, p]));
      const parameters: Parameter[] = [];
      const form: Json = {};
      const formRequired: string[] = [];
      let body: Operation["body"];
      for (const p of byKey.values()) {
        const name = String(p.name);
        if (p.in === "body") body = { mediaType: "application/json", schema: asJson(p.schema) ?? {}, required: p.required === true };
        else if (p.in === "formData") {
          const { name: _n, in: _i, required, ...schema } = p;
          form[name] = schema;
          if (required === true) formRequired.push(name);
        } else if (p.in === "path" || p.in === "query" || p.in === "header" || p.in === "cookie") {
          // Swagger 2 keeps the type on the parameter itself; OpenAPI 3 under schema.
          const { name: _n, in: _i, required: _r, description, schema, ...inline } = p;
          parameters.push({
            in: p.in,
            name,
            required: p.in === "path" || p.required === true,
            schema: asJson(schema) ?? inline,
            ...(typeof description === "string" ? { description } : {}),
          });
        }
      }
      if (Object.keys(form).length > 0) body = { mediaType: "application/x-www-form-urlencoded", schema: { type: "object", properties: form, ...(formRequired.length ? { required: formRequired } : {}) }, required: formRequired.length > 0 };
      const requestBody = asJson(operation.requestBody);
      const content = asJson(requestBody?.content);
      if (content) {
        const mediaType = Object.keys(content).find((type) => /json/i.test(type)) ?? Object.keys(content)[0];
        if (mediaType) body = { mediaType, schema: asJson(asJson(content[mediaType])?.schema) ?? {}, required: requestBody?.required === true };
      }
      const summary = [operation.summary, operation.description].find((text): text is string => typeof text === "string" && text.length > 0);
      operations.push({
        method,
        path,
        ...(typeof operation.operationId === "string" && operation.operationId ? { operationId: operation.operationId } : {}),
        ...(summary ? { summary } : {}),
        parameters,
        ...(body ? { body } : {}),
      });
    }
  }
  return operations;
}
