/** Postgres error codes Berth reacts to. */
export const PG_UNIQUE_VIOLATION = '23505';

export function pgErrorCode(error: unknown): string | undefined {
  const candidate = error as { code?: unknown; driverError?: { code?: unknown } };
  if (typeof candidate?.driverError?.code === 'string') return candidate.driverError.code;
  return typeof candidate?.code === 'string' ? candidate.code : undefined;
}
