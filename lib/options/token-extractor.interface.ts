/**
 * Finds the raw token in a request (Express, Fastify, a GraphQL context's `req`, a WebSocket handshake).
 * Returns `undefined` or `null` when the request carries none.
 */
export type TokenExtractor = (request: unknown) => string | null | undefined;
