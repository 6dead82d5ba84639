import { Controller, Get, UseGuards } from '@nestjs/common';
import {
  AllowedIssuers,
  CurrentUser,
  Issuer,
  JwtAuthGuard,
  Public,
  Roles,
  type JwtPayload,
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
  me(
    @CurrentUser() user: JwtPayload,
    @Issuer() issuer: string,
  ): { issuer: string; claims: JwtPayload } {
    return { issuer, claims: user };
  }

  @Get('me/subject')
  subject(@CurrentUser('sub') subject: string): { sub: string } {
    return { sub: subject };
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
