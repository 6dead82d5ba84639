/**
 * How provider documents are requested: the platform's `fetch` by default. Supply your own to send
 * them through a proxy or a custom dispatcher (undici's `fetch` with an `Agent`), or to resolve a
 * provider's host differently; nestjs-jwks still applies its timeout, size limit, redirect and
 * https rules around it.
 */
export type FetchFunction = (input: URL, init: RequestInit) => Promise<Response>;
