// A NestJS 11 CommonJS application loads the packed nestjs-jwks with require() (Node >= 20.19
// requires ESM) and verifies a token through it under Nest 11 (runtime-check.cjs, copied here).
require('reflect-metadata');
const runtimeCheck = require('./runtime-check.cjs');

runtimeCheck(require('nestjs-jwks'), require('nestjs-jwks/testing')).then(
  () => console.log('nest11-cjs: require("nestjs-jwks") and a token verified under Nest 11: ok'),
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
