import { Module } from '@nestjs/common';
import { ImportStatsModule } from '../../../../libs/import/src/stats';
import { ImportStatsController } from '../import-stats/import-stats.controller';
import { DashboardController } from './dashboard.controller';

/** The dashboard page and the read models it uses (throughput, container overview); one entry in AppModule's imports. */
@Module({ imports: [ImportStatsModule], controllers: [DashboardController, ImportStatsController] })
export class DashboardModule {}
