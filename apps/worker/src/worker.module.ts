import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { loggerParams } from '../../../libs/common/src';
import { BerthConfig, ConfigModule } from '../../../libs/config/src';
import { DatabaseModule } from '../../../libs/database/src';
import { ProcessingModule } from '../../../libs/processing/src';
import { WebhooksModule } from '../../../libs/webhooks/src';

@Module({})
export class WorkerModule {
  static register(config: BerthConfig, dataSource: DataSource): DynamicModule {
    // The same pino JSON logs as the API (LOG_LEVEL honoured).
    return { module: WorkerModule, imports: [LoggerModule.forRoot(loggerParams(config.logLevel)), ConfigModule.forRoot(config), DatabaseModule.forDataSource(dataSource), ProcessingModule, WebhooksModule] };
  }
}
