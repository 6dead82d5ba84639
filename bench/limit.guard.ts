import {
  Inject,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { verify, type KeyObject } from 'node:crypto';

export const LIMIT_KEY = Symbol('LIMIT_KEY');

/** The floor for a guard: split the bearer token, `crypto.verify` on a prepared key. Nothing else. */
@Injectable()
export class LimitGuard implements CanActivate {
  constructor(@Inject(LIMIT_KEY) private readonly key: KeyObject) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>();
    const token = String(request.headers.authorization ?? '').slice('Bearer '.length);
    const dot = token.lastIndexOf('.');
    const signature = Buffer.from(token.slice(dot + 1), 'base64url');
    if (dot > 0 && verify('sha256', Buffer.from(token.slice(0, dot)), this.key, signature)) {
      return true;
    }
    throw new UnauthorizedException();
  }
}
