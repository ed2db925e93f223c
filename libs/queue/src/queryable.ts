import { EntityManager } from 'typeorm';

/**
 * What the queue's functions run their statements on: the caller's EntityManager (its transaction), a QueryRunner,
 * or the DataSource (a statement of its own). Transactions stay with the callers.
 */
export type Queryable = Pick<EntityManager, 'query'>;
