import { MigrationInterface, QueryRunner } from 'typeorm';

const SHARDS = 16;

function countsFunction(name: string, select: string): string {
  return `
    CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      change record;
      target_shard smallint := pg_backend_pid() % ${SHARDS};
    BEGIN
      FOR change IN
        SELECT changes.project_key, changes.container_id, changes.state, sum(changes.delta) AS delta FROM (${select}) changes
         -- Operations deleted with their container leave no counters behind.
         WHERE EXISTS (SELECT 1 FROM import_containers ic WHERE ic.project_key = changes.project_key AND ic.id = changes.container_id)
        GROUP BY 1, 2, 3 HAVING sum(changes.delta) <> 0 ORDER BY 1, 2, 3
      LOOP
        INSERT INTO import_summary_counts AS c (project_key, container_id, state, shard, count)
        VALUES (change.project_key, change.container_id, change.state, target_shard, change.delta)
        ON CONFLICT (project_key, container_id, state, shard) DO UPDATE SET count = c.count + EXCLUDED.count;
      END LOOP;
      RETURN NULL;
    END $$`;
}

/**
 * One counter row per (container, state) became a hot row under concurrent accepts and settles.
 * Counters are now spread over ${SHARDS} shards chosen by the writing backend, so concurrent
 * transactions rarely touch the same row; a summary sums at most 8 × ${SHARDS} rows.
 */
export class ShardedSummaryCounts1764100009000 implements MigrationInterface {
  name = 'ShardedSummaryCounts1764100009000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER import_containers_counters ON import_containers`);
    await queryRunner.query(`DROP FUNCTION berth_container_counters()`);
    await queryRunner.query(`ALTER TABLE import_summary_counts ADD COLUMN shard smallint NOT NULL DEFAULT 0`);
    await queryRunner.query(`ALTER TABLE import_summary_counts DROP CONSTRAINT import_summary_counts_pkey`);
    await queryRunner.query(`ALTER TABLE import_summary_counts ADD PRIMARY KEY (project_key, container_id, state, shard)`);
    // No foreign key: when a container is deleted its operations' delete trigger still writes counters
    // (after the cascade); the container's counters are removed explicitly after its operations.
    await queryRunner.query(`ALTER TABLE import_summary_counts DROP CONSTRAINT import_summary_counts_project_key_container_id_fkey`);
    await queryRunner.query(`DELETE FROM import_summary_counts WHERE count = 0`);
    const insert = 'SELECT project_key, container_id, state, 1 AS delta FROM new_rows';
    const remove = 'SELECT project_key, container_id, state, -1 AS delta FROM old_rows';
    await queryRunner.query(countsFunction('berth_operation_counts_insert', insert));
    await queryRunner.query(countsFunction('berth_operation_counts_update', `${insert} UNION ALL ${remove}`));
    await queryRunner.query(countsFunction('berth_operation_counts_delete', remove));
    await queryRunner.query(`
      CREATE FUNCTION berth_container_counters_cleanup() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM import_summary_counts c USING old_containers o WHERE c.project_key = o.project_key AND c.container_id = o.id;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER import_containers_counters_cleanup AFTER DELETE ON import_containers
      REFERENCING OLD TABLE AS old_containers FOR EACH STATEMENT EXECUTE FUNCTION berth_container_counters_cleanup()`);
  }

  async down(): Promise<void> {
    throw new Error('ShardedSummaryCounts cannot be reverted');
  }
}
