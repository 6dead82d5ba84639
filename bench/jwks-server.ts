import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Jwks } from './keys.js';

/** A JWKS endpoint on loopback that counts its hits (the flood target is a fetch count). */
export interface JwksServer {
  readonly url: string;
  hits(): number;
  close(): Promise<void>;
}

export async function startJwksServer(jwks: Jwks): Promise<JwksServer> {
  const body = JSON.stringify(jwks);
  let hits = 0;
  const server = createServer((request, response) => {
    hits += 1;
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/jwks.json`,
    hits: () => hits,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
