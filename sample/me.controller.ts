import { Controller, Get, UseGuards } from '@nestjs/common';
import { CurrentUser, Issuer, JwtAuthGuard, Public, type JwtPayload } from '../lib/index.js';

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
}
