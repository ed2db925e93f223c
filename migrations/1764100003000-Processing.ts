import { MigrationInterface, QueryRunner } from 'typeorm';

/** Operations waiting for a referenced resource: retried when that key arrives, never polled. */
export class Processing1764100003000 implements MigrationInterface {
  name = 'Processing1764100003000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE import_operation_waits (
        project_key  text NOT NULL,
        type_id      text NOT NULL,
        key          text NOT NULL,
        operation_id uuid NOT NULL,
        PRIMARY KEY (project_key, type_id, key, operation_id),
        FOREIGN KEY (project_key, operation_id) REFERENCES import_operations (project_key, id) ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE INDEX import_operation_waits_operation_idx ON import_operation_waits (project_key, operation_id)`);
    await queryRunner.query(`
      CREATE TABLE reaper_runs (
        id                  bigserial   PRIMARY KEY,
        ran_at              timestamptz NOT NULL DEFAULT now(),
        containers_deleted  integer     NOT NULL,
        operations_deleted  integer     NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE reaper_runs`);
    await queryRunner.query(`DROP TABLE import_operation_waits`);
  }
}
