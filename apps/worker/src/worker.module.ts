import { DynamicModule, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BerthConfig, ConfigModule } from '../../../libs/config/src';
import { DatabaseModule } from '../../../libs/database/src';
import { ProcessingModule } from '../../../libs/processing/src';

@Module({})
export class WorkerModule {
  static register(config: BerthConfig, dataSource: DataSource): DynamicModule {
    return { module: WorkerModule, imports: [ConfigModule.forRoot(config), DatabaseModule.forDataSource(dataSource), ProcessingModule] };
  }
}
