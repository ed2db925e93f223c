import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Import profiles (issue 18): named, versioned, reusable file-import definitions (settings and mapping).
 *
 * The key is unique per project and may be renamed; the id is stable, so the profile's audit (its events in
 * `import_events`, recorded with `resource_id` = the profile id) survives a rename. The partial index serves that
 * audit query without touching the other events of the project.
 */
export class ImportProfiles1764100018000 implements MigrationInterface {
  name = 'ImportProfiles1764100018000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE import_profiles (
        project_key      text        NOT NULL,
        id               uuid        NOT NULL DEFAULT gen_random_uuid(),
        key              text        NOT NULL,
        version          integer     NOT NULL DEFAULT 1,
        name             text        NULL,
        resource_type    text        NOT NULL,
        format           text        NULL,
        settings         jsonb       NULL,
        mapping          jsonb       NULL,
        reference        text        NULL,
        reference_origin text        NULL,
        metadata         jsonb       NULL,
        created_at       timestamptz NOT NULL DEFAULT now(),
        last_modified_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (project_key, id),
        CONSTRAINT import_profiles_key_unique UNIQUE (project_key, key),
        CONSTRAINT import_profiles_format_check CHECK (format IS NULL OR format IN ('csv', 'json', 'ndjson', 'xml'))
      )`);
    await queryRunner.query(`CREATE INDEX import_profiles_created_idx ON import_profiles (project_key, created_at, id)`);
    await queryRunner.query(
      `CREATE INDEX import_events_profile_audit_idx ON import_events (project_key, resource_id, sequence_number) WHERE resource_type_id = 'import-profile'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX import_events_profile_audit_idx`);
    await queryRunner.query(`DROP TABLE import_profiles`);
  }
}
