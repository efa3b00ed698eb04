import { expect, test } from "bun:test";
import { MASTER_CALLER } from "../../src/auth/caller.ts";
import { McpGateway } from "../../src/mcp/gateway.ts";

test("servers swapped in at run time get the gateway's own kind of source: an OpenAPI document is read as one", async () => {
  const gateway = new McpGateway({});
  const spec = {
    openapi: "3.0.3",
    info: { title: "t", version: "1" },
    servers: [{ url: "https://api.example.com" }],
    paths: { "/pets": { get: { operationId: "listPets", responses: { "200": { description: "ok" } } } } },
  };
  await gateway.setServers({ pets: { spec } as never });
  try {
    expect((await gateway.listTools(MASTER_CALLER, "pets")).map((tool) => tool.name)).toEqual(["pets-listPets"]);
  } finally {
    await gateway.close();
  }
});
