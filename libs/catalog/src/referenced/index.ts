export * from './draft-validation';
export * from './referenced-resources';
export * from './referenced-resources.service';
export * from './resources-created';
export * from './seed';
