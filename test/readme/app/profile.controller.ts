import { Controller, Get, UseGuards } from '@nestjs/common';
import { CurrentUser, JwtAuthGuard } from 'nestjs-jwks';

/** The reader's guarded controller that the README's testing example exercises. */
@Controller()
@UseGuards(JwtAuthGuard)
export class ProfileController {
  @Get('profile')
  profile(@CurrentUser('sub') sub: string): { sub: string } {
    return { sub };
  }
}
