import { describe, expect, it } from '@jest/globals';
import { ForbiddenException } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { WsException } from '@nestjs/websockets';
import { transportHttpException } from '../../../lib/guards/refusal.js';

describe("transportHttpException: validate()'s own HttpException, per transport", () => {
  const suspended = new ForbiddenException('Suspended account');

  it('passes it on as is over HTTP and GraphQL', async () => {
    expect(await transportHttpException('http', suspended)).toBe(suspended);
    expect(await transportHttpException('graphql', suspended)).toBe(suspended);
  });

  it.each<['ws' | 'rpc', typeof WsException | typeof RpcException]>([
    ['ws', WsException],
    ['rpc', RpcException],
  ])(
    'carries its status and message over %s, whose filters would say "Internal server error"',
    async (type, exceptionClass) => {
      const exception = await transportHttpException(type, suspended);
      expect(exception).toBeInstanceOf(exceptionClass);
      expect((exception as WsException | RpcException).getError()).toEqual({
        status: 'error',
        statusCode: 403,
        message: 'Suspended account',
        error: 'Forbidden',
      });
    },
  );
});
