import { afterAll, describe, expect, test } from "bun:test";
import { assertFetchable, guardedFetch, isInternalAddress, SsrfRefusal } from "../../src/mcp/ssrf.ts";

describe("SSRF rules for OpenAPI servers", () => {
  test("loopback, private, link-local, metadata and reserved addresses are internal, in IPv4, IPv6 and IPv4-in-IPv6 forms", () => {
    const internal = [
      "127.0.0.1", "127.9.9.9", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.100.100.200", "0.0.0.0", "224.0.0.1", "255.255.255.255",
      "::1", "::", "fe80::1", "fc00::1", "fd00:ec2::254", "ff02::1", "::ffff:127.0.0.1", "::ffff:7f00:1", "::ffff:169.254.169.254", "::ffff:a9fe:a9fe", "::127.0.0.1",
      "64:ff9b::a9fe:a9fe", "2002:c0a8:0101::1", "not-an-address",
    ];
    const external = ["8.8.8.8", "1.1.1.1", "172.32.0.1", "192.169.0.1", "100.128.0.1", "2001:4860:4860::8888", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:0808:0808::1"];
    expect(internal.filter((address) => !isInternalAddress(address))).toEqual([]);
    expect(external.filter(isInternalAddress)).toEqual([]);
  });

  test("URLs naming internal hosts are refused, in any form the URL parser reads, unless the host is allowed", async () => {
    for (const url of ["http://127.0.0.1/", "http://localhost:8080/x", "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://2130706433/", "http://0x7f.1/", "http://169.254.169.254/latest/meta-data", "file:///etc/passwd"]) {
      await expect(assertFetchable(new URL(url)), url).rejects.toBeInstanceOf(SsrfRefusal);
    }
    await assertFetchable(new URL("http://127.0.0.1:1/"), ["127.0.0.1"]);
    await assertFetchable(new URL("http://[::1]:1/"), ["[::1]"]);
    await expect(assertFetchable(new URL("http://127.0.0.2/"), ["127.0.0.1"])).rejects.toBeInstanceOf(SsrfRefusal);
  });

  describe("redirects", () => {
    let canaryConnections = 0;
    const canary = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => (canaryConnections++, new Response("canary")) });
    const api = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(request) {
        const url = new URL(request.url);
        if (url.pathname === "/same") return new Response(null, { status: 302, headers: { location: "/final" } });
        if (url.pathname === "/other") return new Response(null, { status: 302, headers: { location: `http://localhost:${canary.port}/stolen` } });
        if (url.pathname === "/loop") return new Response(null, { status: 307, headers: { location: "/loop" } });
        return new Response(`final ${request.method} ${request.headers.get("authorization")}`);
      },
    });
    afterAll(() => {
      canary.stop(true);
      api.stop(true);
    });
    const base = `http://127.0.0.1:${api.port}`;

    test("followed within one host; to another host refused before connecting; a loop ends", async () => {
      const same = await guardedFetch(new URL(`${base}/same`), { method: "POST", body: "x", headers: { authorization: "Bearer t" } }, ["127.0.0.1", "localhost"]);
      expect(await same.text()).toBe("final GET Bearer t");
      await expect(guardedFetch(new URL(`${base}/other`), { headers: { authorization: "Bearer t" } }, ["127.0.0.1", "localhost"])).rejects.toThrow("redirected to another host (localhost)");
      await expect(guardedFetch(new URL(`${base}/loop`), {}, ["127.0.0.1"])).rejects.toThrow("more than 5 redirects");
      await Bun.sleep(20);
      expect(canaryConnections).toBe(0);
    });
  });
});
