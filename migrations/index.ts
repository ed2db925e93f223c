import { ImportContainers1764100000000 } from './1764100000000-ImportContainers';

/** Every migration, in order. A new migration is added here. */
export const MIGRATIONS = [ImportContainers1764100000000];
