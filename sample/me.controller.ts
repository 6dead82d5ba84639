import { Controller, Get, UseGuards } from '@nestjs/common';
import {
  AllowedIssuers,
  CurrentUser,
  Issuer,
  JwtAuthGuard,
  OptionalAuth,
  Public,
  Roles,
  Scopes,
  type JwtUser,
} from '../lib/index.js';

// Read when this file is loaded, as an app reads its configuration: main.ts sets it first.
const PARTNER_ISSUER = process.env.PARTNER_ISSUER ?? 'https://partner.example.com';

@Controller()
@UseGuards(JwtAuthGuard)
export class MeController {
  @Public()
  @Get('public')
  hello(): { message: string } {
    return { message: 'Anyone may read this.' };
  }

  @Get('me')
  me(@CurrentUser() user: JwtUser, @Issuer() issuer: string): { issuer: string; claims: JwtUser } {
    return { issuer, claims: user };
  }

  @Get('me/subject')
  subject(@CurrentUser('sub') subject: string): { sub: string } {
    return { sub: subject };
  }

  /** Anyone; a token, when sent, must be valid. */
  @OptionalAuth()
  @Get('greeting')
  greeting(@CurrentUser('sub') subject: string | undefined): { greeting: string } {
    return { greeting: `Hello, ${subject ?? 'anonymous'}` };
  }

  /** Tokens granted the `read:me` scope (the development issuers grant `read:me write:me`). */
  @Scopes('read:me')
  @Get('me/scoped')
  scoped(@CurrentUser('scope') scope: string): { scope: string } {
    return { scope };
  }

  /** A scope no token of the development issuers has: 403 INSUFFICIENT_SCOPE. */
  @Scopes('delete:me')
  @Get('me/delete')
  remove(@CurrentUser('sub') subject: string): { deleted: string } {
    return { deleted: subject };
  }

  /** Staff with the admin role only (the `roles` claim). */
  @Roles('admin')
  @Get('admin')
  admin(@CurrentUser('sub') subject: string): { admin: string } {
    return { admin: subject };
  }

  /** Tokens of the partner's issuer only. */
  @AllowedIssuers(PARTNER_ISSUER)
  @Get('partner')
  partner(@Issuer() issuer: string): { partner: string } {
    return { partner: issuer };
  }
}
