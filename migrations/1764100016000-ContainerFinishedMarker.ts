import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Events, part two (issue 18): the guard of `ImportContainerFinished`.
 *
 * `import_container_activity.finished_snapshot` is the database snapshot (`pg_current_snapshot()`) at which
 * the container was last found finished and the event recorded. A later check records the event again
 * only when the batch that triggered it settled in a transaction that snapshot does not see (so its
 * outcome is new), which makes the event exactly once per finish with any number of workers. The column
 * is written only when a container finishes, never on the processor's per-batch path.
 *
 * Retention (EVENTS_TTL) deletes by `created_at`, served by `import_events_created_idx` (1764100014000).
 */
export class ContainerFinishedMarker1764100016000 implements MigrationInterface {
  name = 'ContainerFinishedMarker1764100016000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE import_container_activity ADD COLUMN finished_snapshot pg_snapshot NULL, ADD COLUMN finished_at timestamptz NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE import_container_activity DROP COLUMN finished_snapshot, DROP COLUMN finished_at`);
  }
}
