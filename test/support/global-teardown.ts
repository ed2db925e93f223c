import type { EmbeddedDatabase } from '../../libs/database/src';

export default async function globalTeardown(): Promise<void> {
  const embedded = (globalThis as Record<string, unknown>).__BERTH_TEST_PG__ as EmbeddedDatabase | undefined;
  if (embedded) await embedded.stop();
}
