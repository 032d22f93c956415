import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * A local HTTP server on a free loopback port for a fake platform API: `handle` answers each
 * request; if it throws, the request gets a 500 with the error (the test sees it, nothing hangs).
 */
export function serveOnLoopback(
  handle: (request: import('node:http').IncomingMessage, response: import('node:http').ServerResponse) => Promise<unknown>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createHttpServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500);
      response.end(String(error));
    });
  });
  return listenOnLoopback(server);
}

/** Listen on a free loopback port; `close` also drops kept-alive connections. */
export async function listenOnLoopback(server: import('node:http').Server): Promise<{ url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
