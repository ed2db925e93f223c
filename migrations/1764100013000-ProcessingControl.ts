import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Processing control per import container (pause / resume / cancel) and its status.
 *
 * - `import_containers.processing_state` (`active` | `paused` | `canceled`) is what the claim and the
 *   accept statement read; the tasks that change it (and `paused_at`, `canceled_at`,
 *   `cancel_completed_at`) are rare, so they live on the container row. The container representation
 *   (GET / list) does not show them.
 * - `import_container_activity` holds what the processor maintains (`started_at`, `last_processed_at`),
 *   kept off the container row so the processor's per-batch write never conflicts with the `FOR SHARE`
 *   lock every accept takes on the container row.
 * - `import_container_tasks` records every task (who, when, from / to state) for the events issue. No
 *   foreign key: the history outlives the container.
 */
export class ProcessingControl1764100013000 implements MigrationInterface {
  name = 'ProcessingControl1764100013000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE import_containers
        ADD COLUMN processing_state    text        NOT NULL DEFAULT 'active',
        ADD COLUMN paused_at           timestamptz NULL,
        ADD COLUMN canceled_at         timestamptz NULL,
        ADD COLUMN cancel_completed_at timestamptz NULL,
        ADD CONSTRAINT import_containers_processing_state_check CHECK (processing_state IN ('active', 'paused', 'canceled'))`);
    await queryRunner.query(`CREATE INDEX import_containers_processing_state_idx ON import_containers (processing_state) WHERE processing_state <> 'active'`);
    await queryRunner.query(`
      CREATE TABLE import_container_activity (
        project_key       text        NOT NULL,
        container_id      uuid        NOT NULL,
        started_at        timestamptz NOT NULL,
        last_processed_at timestamptz NOT NULL,
        PRIMARY KEY (project_key, container_id),
        FOREIGN KEY (project_key, container_id) REFERENCES import_containers (project_key, id) ON DELETE CASCADE
      )`);
    await queryRunner.query(`
      CREATE TABLE import_container_tasks (
        id            bigserial   PRIMARY KEY,
        project_key   text        NOT NULL,
        container_id  uuid        NOT NULL,
        container_key text        NOT NULL,
        task          text        NOT NULL,
        from_state    text        NOT NULL,
        to_state      text        NOT NULL,
        client_id     text        NULL,
        created_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX import_container_tasks_container_idx ON import_container_tasks (project_key, container_id, id)`);
    await queryRunner.query(`CREATE INDEX import_container_tasks_created_idx ON import_container_tasks (project_key, created_at, id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE import_container_tasks`);
    await queryRunner.query(`DROP TABLE import_container_activity`);
    await queryRunner.query(`DROP INDEX import_containers_processing_state_idx`);
    await queryRunner.query(`
      ALTER TABLE import_containers DROP CONSTRAINT import_containers_processing_state_check,
        DROP COLUMN processing_state, DROP COLUMN paused_at, DROP COLUMN canceled_at, DROP COLUMN cancel_completed_at`);
  }
}
