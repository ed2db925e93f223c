import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Import operations, designed for millions of rows per project: every index starts with the
 * project and container (paging, filters), the claim index covers only pending work, and
 * per-container state counts are maintained by statement-level triggers so summaries stay O(states).
 */
export class ImportOperations1764100002000 implements MigrationInterface {
  name = 'ImportOperations1764100002000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SEQUENCE import_operations_seq AS bigint CACHE 100`);
    await queryRunner.query(`
      CREATE TABLE import_operations (
        project_key           text        NOT NULL,
        id                    uuid        NOT NULL,
        container_id          uuid        NOT NULL,
        container_key         text        NOT NULL,
        resource_type         text        NOT NULL,
        resource_key          text        NOT NULL,
        seq                   bigint      NOT NULL DEFAULT nextval('import_operations_seq'),
        state                 text        NOT NULL DEFAULT 'processing',
        version               integer     NOT NULL DEFAULT 1,
        resource_version      integer     NULL,
        payload               jsonb       NOT NULL,
        errors                jsonb       NULL,
        unresolved_references jsonb       NULL,
        attempts              integer     NOT NULL DEFAULT 0,
        run_at                timestamptz NOT NULL DEFAULT now(),
        locked_by             text        NULL,
        locked_until          timestamptz NULL,
        created_at            timestamptz NOT NULL DEFAULT now(),
        last_modified_at      timestamptz NOT NULL DEFAULT now(),
        expires_at            timestamptz NOT NULL,
        PRIMARY KEY (project_key, id),
        FOREIGN KEY (project_key, container_id) REFERENCES import_containers (project_key, id) ON DELETE CASCADE,
        CONSTRAINT import_operations_state_check CHECK (state IN ('processing','validationFailed','unresolved','waitForMasterVariant','imported','rejected','canceled','partiallyImported'))
      )`);
    await queryRunner.query(`CREATE INDEX import_operations_container_seq_idx ON import_operations (project_key, container_id, seq)`);
    await queryRunner.query(`CREATE INDEX import_operations_container_state_idx ON import_operations (project_key, container_id, state, seq)`);
    await queryRunner.query(`CREATE INDEX import_operations_resource_key_idx ON import_operations (project_key, container_id, resource_key, seq)`);
    await queryRunner.query(`CREATE INDEX import_operations_key_order_idx ON import_operations (project_key, resource_type, resource_key, seq)`);
    await queryRunner.query(`CREATE INDEX import_operations_pending_idx ON import_operations (run_at, seq) WHERE state = 'processing'`);
    await queryRunner.query(`CREATE INDEX import_operations_expires_idx ON import_operations (expires_at)`);

    await queryRunner.query(`
      CREATE TABLE import_summary_counts (
        project_key  text    NOT NULL,
        container_id uuid    NOT NULL,
        state        text    NOT NULL,
        count        bigint  NOT NULL DEFAULT 0,
        PRIMARY KEY (project_key, container_id, state),
        FOREIGN KEY (project_key, container_id) REFERENCES import_containers (project_key, id) ON DELETE CASCADE
      )`);
    // Every container gets its eight counters at creation, so the operation triggers only ever UPDATE.
    await queryRunner.query(`
      CREATE FUNCTION berth_container_counters() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO import_summary_counts (project_key, container_id, state)
        SELECT n.project_key, n.id, s.state
          FROM new_containers n
         CROSS JOIN unnest(ARRAY['processing','validationFailed','unresolved','waitForMasterVariant','imported','rejected','canceled','partiallyImported']) AS s(state);
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER import_containers_counters AFTER INSERT ON import_containers
      REFERENCING NEW TABLE AS new_containers FOR EACH STATEMENT EXECUTE FUNCTION berth_container_counters()`);
    // Counter rows are updated one at a time in key order, so concurrent statements never deadlock on them.
    await queryRunner.query(`
      CREATE FUNCTION berth_operation_counts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        change record;
      BEGIN
        FOR change IN
          SELECT project_key, container_id, state, sum(delta) AS delta FROM (SELECT project_key, container_id, state, 1 AS delta FROM new_rows) changes
          GROUP BY 1, 2, 3 HAVING sum(delta) <> 0 ORDER BY 1, 2, 3
        LOOP
          UPDATE import_summary_counts SET count = count + change.delta
           WHERE project_key = change.project_key AND container_id = change.container_id AND state = change.state;
        END LOOP;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE FUNCTION berth_operation_counts_update() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        change record;
      BEGIN
        FOR change IN
          SELECT project_key, container_id, state, sum(delta) AS delta FROM (SELECT project_key, container_id, state, 1 AS delta FROM new_rows UNION ALL SELECT project_key, container_id, state, -1 AS delta FROM old_rows) changes
          GROUP BY 1, 2, 3 HAVING sum(delta) <> 0 ORDER BY 1, 2, 3
        LOOP
          UPDATE import_summary_counts SET count = count + change.delta
           WHERE project_key = change.project_key AND container_id = change.container_id AND state = change.state;
        END LOOP;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE FUNCTION berth_operation_counts_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        change record;
      BEGIN
        FOR change IN
          SELECT project_key, container_id, state, sum(delta) AS delta FROM (SELECT project_key, container_id, state, -1 AS delta FROM old_rows) changes
          GROUP BY 1, 2, 3 HAVING sum(delta) <> 0 ORDER BY 1, 2, 3
        LOOP
          UPDATE import_summary_counts SET count = count + change.delta
           WHERE project_key = change.project_key AND container_id = change.container_id AND state = change.state;
        END LOOP;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER import_operations_count_insert AFTER INSERT ON import_operations
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION berth_operation_counts_insert()`);
    await queryRunner.query(`
      CREATE TRIGGER import_operations_count_update AFTER UPDATE ON import_operations
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION berth_operation_counts_update()`);
    await queryRunner.query(`
      CREATE TRIGGER import_operations_count_delete AFTER DELETE ON import_operations
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION berth_operation_counts_delete()`);
    // Existing containers (created before this migration) get their counters too.
    await queryRunner.query(`
      INSERT INTO import_summary_counts (project_key, container_id, state)
      SELECT c.project_key, c.id, s.state FROM import_containers c
       CROSS JOIN unnest(ARRAY['processing','validationFailed','unresolved','waitForMasterVariant','imported','rejected','canceled','partiallyImported']) AS s(state)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE import_summary_counts`);
    await queryRunner.query(`DROP TABLE import_operations`);
    await queryRunner.query(`DROP TRIGGER import_containers_counters ON import_containers`);
    await queryRunner.query(`DROP FUNCTION berth_container_counters()`);
    for (const suffix of ['insert', 'update', 'delete']) await queryRunner.query(`DROP FUNCTION berth_operation_counts_${suffix}()`);
    await queryRunner.query(`DROP SEQUENCE import_operations_seq`);
  }
}
