/**
 * Bench OTLP collector: takes `POST /v1/traces` (OTLP/HTTP protobuf) and answers 200 with an empty
 * ExportTraceServiceResponse, without decoding, so the collector costs the machine as little as it
 * can. `GET /stats` reports how many exports and bytes arrived, so the bench can show that spans
 * did leave the gateway. Prints `listening <port>`; exits when stdin closes.
 */
export {};

let exports = 0;
let bytes = 0;

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.argv[2] ?? "0"),
  idleTimeout: 60,
  async fetch(request) {
    const path = new URL(request.url).pathname;
    if (request.method === "GET" && path === "/stats") return Response.json({ exports, bytes });
    if (request.method !== "POST" || path !== "/v1/traces") return new Response("not found", { status: 404 });
    bytes += (await request.arrayBuffer()).byteLength;
    exports++;
    return new Response(new Uint8Array(0), { headers: { "content-type": "application/x-protobuf" } });
  },
});

console.log(`listening ${server.port}`);

(async () => {
  for await (const _ of Bun.stdin.stream()) {
    // ignore input
  }
  server.stop(true);
  process.exit(0);
})();
