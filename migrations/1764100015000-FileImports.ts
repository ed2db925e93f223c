import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * File imports (SPEC section 8, issue 17): one row per job in `file_imports`, the parsed records of its file in
 * `file_import_records` (staged while the body streams in, so a job can be validated whole — rejectAll, dry run —
 * confirmed later, and resumed after a crash from its `stored_rows` cursor), and the link of every operation a job
 * created (`import_operations.file_import_id`, with the number of file rows the operation carries) so the job's
 * imported / failed counts are one aggregate over its operations.
 */
export class FileImports1764100015000 implements MigrationInterface {
  name = 'FileImports1764100015000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE file_imports (
        project_key      text        NOT NULL,
        id               uuid        NOT NULL,
        container_id     uuid        NOT NULL,
        container_key    text        NOT NULL,
        profile_key      text        NULL,
        state            text        NOT NULL,
        resource_type    text        NOT NULL,
        format           text        NOT NULL,
        dry_run          boolean     NOT NULL DEFAULT false,
        error_policy     text        NOT NULL,
        options          jsonb       NOT NULL,
        reference        text        NULL,
        reference_origin text        NULL,
        metadata         jsonb       NULL,
        -- staging: records read from the body; upload_complete once the whole body was read
        rows_total       integer     NOT NULL DEFAULT 0,
        upload_complete  boolean     NOT NULL DEFAULT false,
        -- storing: the cursor (last staged row stored as operations or rejected) and what it produced
        stored_rows      integer     NOT NULL DEFAULT 0,
        accepted         integer     NOT NULL DEFAULT 0,
        invalid          integer     NOT NULL DEFAULT 0,
        destroyed        integer     NOT NULL DEFAULT 0,
        validated        boolean     NOT NULL DEFAULT false,
        errors           jsonb       NOT NULL DEFAULT '[]',
        errors_total     integer     NOT NULL DEFAULT 0,
        warnings         jsonb       NOT NULL DEFAULT '[]',
        actor            text        NULL,
        lease_until      timestamptz NULL,
        created_at       timestamptz NOT NULL DEFAULT now(),
        started_at       timestamptz NULL,
        stored_at        timestamptz NULL,
        completed_at     timestamptz NULL,
        canceled_at      timestamptz NULL,
        PRIMARY KEY (project_key, id),
        FOREIGN KEY (project_key, container_id) REFERENCES import_containers (project_key, id) ON DELETE CASCADE,
        CONSTRAINT file_imports_state_check CHECK (state IN ('queued', 'running', 'awaitingConfirm', 'completed', 'failed', 'canceled'))
      )`);
    await queryRunner.query(`CREATE INDEX file_imports_container_idx ON file_imports (project_key, container_id, created_at, id)`);
    await queryRunner.query(`CREATE INDEX file_imports_open_idx ON file_imports (lease_until) WHERE state IN ('queued', 'running')`);
    await queryRunner.query(`
      CREATE TABLE file_import_records (
        project_key    text    NOT NULL,
        file_import_id uuid    NOT NULL,
        row_no         integer NOT NULL,
        record         jsonb   NOT NULL,
        PRIMARY KEY (project_key, file_import_id, row_no),
        FOREIGN KEY (project_key, file_import_id) REFERENCES file_imports (project_key, id) ON DELETE CASCADE
      )`);
    await queryRunner.query(`ALTER TABLE import_operations ADD COLUMN file_import_id uuid NULL, ADD COLUMN file_import_rows integer NULL`);
    await queryRunner.query(`CREATE INDEX import_operations_file_import_idx ON import_operations (project_key, file_import_id, state) WHERE file_import_id IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX import_operations_file_import_idx`);
    await queryRunner.query(`ALTER TABLE import_operations DROP COLUMN file_import_id, DROP COLUMN file_import_rows`);
    await queryRunner.query(`DROP TABLE file_import_records`);
    await queryRunner.query(`DROP TABLE file_imports`);
  }
}
