export * from './catalog.module';
export * from './documents';
export * from './read.service';
export * from './registry';
