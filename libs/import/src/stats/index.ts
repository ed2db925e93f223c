export * from './import-stats.module';
export * from './import-stats.service';
export * from './import-stats.views';
