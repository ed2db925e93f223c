export * from './error-response';
export * from './errors';
export * from './exception.filter';
export * from './paging';
export * from './validation';
export * from './logging';
export * from './metrics';
