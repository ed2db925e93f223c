import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event log (issue 18): every change of a container, task, file import, profile, subscription or
 * API client, recorded in the transaction of the change.
 *
 * `sequence_number` is one installation-wide sequence (CACHE 1); per project it follows commit order
 * because recorders hold the project's event-order advisory lock until they commit. The primary key
 * starts with `project_key` (distributable by project). API-client events are recorded under the
 * project of the client's scopes, or `''` for installation-wide changes.
 */
export class ImportEvents1764100014000 implements MigrationInterface {
  name = 'ImportEvents1764100014000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SEQUENCE import_events_seq AS bigint CACHE 1`);
    await queryRunner.query(`
      CREATE TABLE import_events (
        project_key      text        NOT NULL,
        sequence_number  bigint      NOT NULL DEFAULT nextval('import_events_seq'),
        id               uuid        NOT NULL DEFAULT gen_random_uuid(),
        type             text        NOT NULL,
        resource_type_id text        NOT NULL,
        resource_key     text        NULL,
        resource_id      text        NULL,
        actor            text        NULL,
        created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
        data             jsonb       NOT NULL DEFAULT '{}'::jsonb,
        PRIMARY KEY (project_key, sequence_number)
      )`);
    await queryRunner.query(`ALTER SEQUENCE import_events_seq OWNED BY import_events.sequence_number`);
    await queryRunner.query(`CREATE UNIQUE INDEX import_events_id_idx ON import_events (project_key, id)`);
    await queryRunner.query(`CREATE INDEX import_events_resource_idx ON import_events (project_key, resource_type_id, resource_key, sequence_number)`);
    await queryRunner.query(`CREATE INDEX import_events_created_idx ON import_events (created_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE import_events`);
  }
}
