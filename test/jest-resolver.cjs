// jest's ESM runtime cannot require() an ES module, which Node >= 20.19 can: @fastify/static (under
// Mercurius) requires content-disposition 3, which ships ESM only. Its CommonJS 2.x, installed
// beside it for Express, has the same `create` export; only that one require is redirected.
const path = require('node:path');

module.exports = (request, options) => {
  if (
    request === 'content-disposition' &&
    options.basedir.includes(`${path.sep}@fastify${path.sep}static`)
  ) {
    return options.defaultResolver(request, { ...options, basedir: options.rootDir });
  }
  return options.defaultResolver(request, options);
};
