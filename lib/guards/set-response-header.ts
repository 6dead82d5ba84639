/** Sets a header on an Express or Fastify response (or anything with either method). */
export function setResponseHeader(response: unknown, name: string, value: string): void {
  const target = response as {
    header?: (name: string, value: string) => unknown;
    setHeader?: (name: string, value: string) => unknown;
  } | null;
  if (typeof target?.header === 'function') target.header(name, value);
  else if (typeof target?.setHeader === 'function') target.setHeader(name, value);
}
