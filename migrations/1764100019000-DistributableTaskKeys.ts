import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `import_container_tasks` is project-scoped: its primary key starts with `project_key`, like every
 * project-scoped table, so the table can be distributed by project (docs/SCALING.md). `id` stays unique
 * on its own (one sequence); the key only gains the project in front.
 */
export class DistributableTaskKeys1764100019000 implements MigrationInterface {
  name = 'DistributableTaskKeys1764100019000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE import_container_tasks DROP CONSTRAINT import_container_tasks_pkey, ADD PRIMARY KEY (project_key, id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE import_container_tasks DROP CONSTRAINT import_container_tasks_pkey, ADD PRIMARY KEY (id)`);
  }
}
