import { DataSource, EntityManager } from 'typeorm';

/** Runs work in one transaction; callers pass the manager on so every statement joins it. */
export function inTransaction<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  return dataSource.transaction(work);
}

/** Postgres error codes Berth reacts to. */
export const PG_UNIQUE_VIOLATION = '23505';
export const PG_FOREIGN_KEY_VIOLATION = '23503';

export function pgErrorCode(error: unknown): string | undefined {
  const candidate = error as { code?: unknown; driverError?: { code?: unknown } };
  if (typeof candidate?.driverError?.code === 'string') return candidate.driverError.code;
  return typeof candidate?.code === 'string' ? candidate.code : undefined;
}
