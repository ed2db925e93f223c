import { MigrationInterface, QueryRunner } from 'typeorm';

export class ImportContainers1764100000000 implements MigrationInterface {
  name = 'ImportContainers1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE import_containers (
        project_key      text        NOT NULL,
        id               uuid        NOT NULL DEFAULT gen_random_uuid(),
        key              text        NOT NULL,
        resource_type    text        NULL,
        version          integer     NOT NULL DEFAULT 1,
        retention_policy jsonb       NULL,
        expires_at       timestamptz NULL,
        created_at       timestamptz NOT NULL DEFAULT now(),
        last_modified_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (project_key, id),
        CONSTRAINT import_containers_key_unique UNIQUE (project_key, key)
      )`);
    await queryRunner.query(`CREATE INDEX import_containers_created_idx ON import_containers (project_key, created_at, id)`);
    await queryRunner.query(`CREATE INDEX import_containers_expires_idx ON import_containers (expires_at) WHERE expires_at IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE import_containers`);
  }
}
