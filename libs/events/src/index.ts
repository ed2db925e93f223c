export * from './event-recorder';
export * from './event-types';
export * from './import-events.service';
export * from './event-notifications';
export * from './event-streams.service';
export * from './events.module';
