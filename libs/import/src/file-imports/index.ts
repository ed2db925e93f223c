export * from './file-import-options';
export * from './file-imports.service';
export * from './record-sources';
export * from './row-processing';
export * from './target-paths';
