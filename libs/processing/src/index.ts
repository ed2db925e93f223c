export * from './applier';
export * from './processing.module';
export * from './processor.runner';
export * from './processor.service';
export * from './reaper.service';
export * from './resources-created.listener';

