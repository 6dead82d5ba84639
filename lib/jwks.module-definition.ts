import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { JwksModuleOptions } from './options/jwks-module-options.interface.js';

export const {
  ConfigurableModuleClass,
  /**
   * Injection token of the options as given to `forRoot`, or as `forRootAsync`'s factory returns
   * them: before validation and defaults.
   */
  MODULE_OPTIONS_TOKEN: JWKS_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<JwksModuleOptions>({ moduleName: 'Jwks' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createJwksOptions')
  .setExtras({ isGlobal: false }, (definition, { isGlobal }) => ({
    ...definition,
    global: isGlobal,
  }))
  .build();
