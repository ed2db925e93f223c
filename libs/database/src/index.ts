export * from './data-source';
export * from './database.module';
export * from './embedded-postgres';
export * from './transaction';
export * from './connection-errors';
export * from './open-database';
export * from './fresh-statistics';
export * from './listen-loop';
