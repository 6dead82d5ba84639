import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { addJwksSecurity } from '../lib/index.js';

/**
 * Serves the API's OpenAPI document at `/docs-json` and Swagger UI at `/docs`: `@nestjs/swagger`
 * describes the routes, `addJwksSecurity` their bearer tokens, from the decorators they carry.
 */
export function serveDocs(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('nestjs-jwks sample API')
    .setDescription('Routes guarded by JwtAuthGuard, described from their decorators')
    .setVersion('1')
    .build();
  const document = addJwksSecurity(app, SwaggerModule.createDocument(app, config));
  SwaggerModule.setup('docs', app, document);
}
