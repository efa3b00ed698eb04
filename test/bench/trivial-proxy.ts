/**
 * The baseline for the gateway: the least a Bun proxy can do. Forwards the request body to the
 * upstream (argv[2], e.g. http://127.0.0.1:1234/v1) and returns the upstream's text (its body
 * stream when it is an event stream). Prints `listening <port>`; exits when stdin closes.
 */
export {};
const upstream = process.argv[2] ?? "http://127.0.0.1:8080/v1";

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.argv[3] ?? "0"),
  async fetch(request) {
    const path = new URL(request.url).pathname.replace(/^\/v1/, "");
    const res = await fetch(upstream + path, { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer sk-bench" }, body: await request.text() });
    const type = res.headers.get("content-type") ?? "application/json";
    if (type.startsWith("text/event-stream")) return new Response(res.body, { status: res.status, headers: { "content-type": type } });
    return new Response(await res.text(), { status: res.status, headers: { "content-type": type } });
  },
});
console.log(`listening ${server.port}`);

(async () => {
  for await (const _ of Bun.stdin.stream()) {
    // ignore input
  }
  process.exit(0);
})();
