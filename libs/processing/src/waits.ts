// Waits and wake-ups belong to the queue (libs/queue/src/waits.ts); re-exported here for the processor's imports.
export { lockReferencesShared, wakeWaitingOperations } from '../../queue/src/waits';
