import { DynamicModule, Global, Module } from '@nestjs/common';
import { BERTH_CONFIG, BerthConfig } from './config';

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: BerthConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: BERTH_CONFIG, useValue: config }], exports: [BERTH_CONFIG] };
  }
}
