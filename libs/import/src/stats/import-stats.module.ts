import { Module } from '@nestjs/common';
import { ImportStatsService } from './import-stats.service';

/** The dashboard's read models (throughput, container overview); kept apart from ImportModule so it can be added in one line. */
@Module({ providers: [ImportStatsService], exports: [ImportStatsService] })
export class ImportStatsModule {}
