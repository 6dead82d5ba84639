import { Reflector } from '@nestjs/core';

/**
 * Lets a route or controller through `JwtAuthGuard` without a token. The explicit key makes two
 * installed copies of the library agree on it.
 */
export const Public = Reflector.createDecorator<void, true>({
  key: 'nestjs-jwks:public',
  transform: () => true,
});
