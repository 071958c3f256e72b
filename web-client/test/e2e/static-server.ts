/**
 * For the tests: serves the built client (dist/) the way the hub serves it — at `/`, on the
 * same origin as the API — by serving static files and passing /v1/* and /healthz (HTTP and
 * the WebSocket upgrade) through to the hub. It can also cut the network: drop every open
 * connection to the hub and refuse new ones for a while (POST /__test/outage?ms=N), which is
 * how the tests pull the network out from under a page.
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import { connect, type Socket } from "node:net";
import { extname, join, normalize, resolve } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".map": "application/json",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

export async function startStaticServer(distDir: string, hubUrl: string, port = 0): Promise<StaticServer> {
  const root = resolve(distDir);
  if (!existsSync(join(root, "index.html"))) throw new Error(`no built client in ${root}: run npm run build first`);
  const hub = new URL(hubUrl);
  const sockets = new Set<Socket>();
  let outageUntil = 0;
  const down = () => Date.now() < outageUntil;

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === "/__test/outage" && req.method === "POST") {
      const ms = Number(url.searchParams.get("ms") ?? "2000");
      outageUntil = Date.now() + ms;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      res.writeHead(204).end();
      return;
    }
    if (url.pathname.startsWith("/v1/") || url.pathname === "/healthz") {
      if (down()) {
        req.socket.destroy();
        return;
      }
      proxy(req, res);
      return;
    }
    serveFile(url.pathname, res);
  });

  function proxy(req: IncomingMessage, res: import("node:http").ServerResponse): void {
    const upstream = httpRequest(
      { host: hub.hostname, port: hub.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("socket", (socket) => {
      if (sockets.has(socket)) return; // a kept-alive socket, already tracked
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
    });
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  }

  function serveFile(pathname: string, res: import("node:http").ServerResponse): void {
    let file = normalize(join(root, decodeURIComponent(pathname)));
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    if (!existsSync(file) || statSync(file).isDirectory()) file = join(root, "index.html");
    res.writeHead(200, { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream", "Cache-Control": "no-cache" });
    createReadStream(file).pipe(res);
  }

  // WebSocket: pass the upgrade request through byte for byte.
  server.on("upgrade", (req, client: Socket, head) => {
    if (down()) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(hub.port), hub.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(lines.join("\r\n") + "\r\n\r\n");
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
      s.on("close", () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
  });

  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  const address = server.address();
  const actual = typeof address === "object" && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${actual}`,
    close: () =>
      new Promise<void>((r) => {
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
