export * from './event-recorder';
export * from './event-types';
