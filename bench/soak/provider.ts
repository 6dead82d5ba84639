import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FromProvider, Hits, ProviderConfig, ProviderState, ToProvider } from './messages.js';
import type { Fault } from './phases.js';
import { wallMs } from './wall-time.js';

// The fault-injecting identity provider, in a process of its own so that its work (and its hung
// sockets) neither slows the app nor the load generator. The orchestrator switches its state over
// IPC and reads back how many requests each state received.

const METADATA_PATHS: ReadonlySet<string> = new Set([
  '/.well-known/openid-configuration',
  // RFC 8414, which the library may fall back to: the same metadata endpoint, failing the same way.
  '/.well-known/oauth-authorization-server',
]);

const config = JSON.parse(process.argv[2]!) as ProviderConfig;
let state: ProviderState = config.initial;
let hits: Hits = { metadata: 0, jwks: 0, other: 0 };
let origin = '';

const server = createServer((request, response) => {
  const path = new URL(request.url ?? '/', 'http://provider').pathname;
  if (METADATA_PATHS.has(path)) {
    hits.metadata++;
    return serve(state.metadata, request, response, () => metadata());
  }
  if (path === '/jwks') {
    hits.jwks++;
    return serve(state.jwks, request, response, () => ({ keys: state.keys }));
  }
  hits.other++;
  response.writeHead(404).end();
});

function metadata() {
  return {
    issuer: origin,
    jwks_uri: `${origin}/jwks`,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
  };
}

/** Answers one request the way `fault` says; `body` is read when the answer is sent. */
function serve(
  fault: Fault,
  request: IncomingMessage,
  response: ServerResponse,
  body: () => unknown,
): void {
  switch (fault) {
    case 'ok':
      return answer(response, JSON.stringify(body()));
    case 'hang':
      // Accept and read the request, never answer: only the client's own timer ends it.
      return;
    case 'http-500':
      response.writeHead(500, { 'content-type': 'application/json' });
      return void response.end('{"error":"injected"}');
    case 'reset':
      // A TCP RST, not a clean close: what a crashing provider or a middlebox does.
      return void request.socket.resetAndDestroy();
    case 'slow': {
      const timer = setTimeout(() => answer(response, JSON.stringify(body())), config.slowMs);
      return void response.on('close', () => clearTimeout(timer));
    }
    case 'invalid-json':
      return answer(response, '{"keys": [ {"kty": "RSA", ');
  }
}

function answer(response: ServerResponse, text: string): void {
  response.writeHead(200, {
    'content-type': 'application/json',
    'cache-control': `public, max-age=${config.maxAge}`,
  });
  response.end(text);
}

function send(message: FromProvider): void {
  process.send!(message);
}

process.on('message', (message: ToProvider) => {
  if (message.type === 'apply') {
    const previous = hits;
    state = message.state;
    hits = { metadata: 0, jwks: 0, other: 0 };
    send({ type: 'applied', seq: message.seq, at: wallMs(), hits: previous });
  } else if (message.type === 'count') {
    send({ type: 'counted', seq: message.seq, hits: { ...hits } });
  } else {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  }
});
// An orphan must not outlive the run (the orchestrator crashed or was killed).
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  send({ type: 'listening', port, at: wallMs() });
});
