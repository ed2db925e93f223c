import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every accepted operation maintains every index of import_operations, so keep as few as the reads need:
 * one (project, key, type, seq) index serves both the per-key ordering check of the claim and the
 * `resourceKey` filter of the operations query (which adds the container as a filter).
 */
export class LeanerOperationIndexes1764100010000 implements MigrationInterface {
  name = 'LeanerOperationIndexes1764100010000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX import_operations_key_idx ON import_operations (project_key, resource_key, resource_type, seq)`);
    await queryRunner.query(`DROP INDEX import_operations_key_order_idx`);
    await queryRunner.query(`DROP INDEX import_operations_resource_key_idx`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX import_operations_resource_key_idx ON import_operations (project_key, container_id, resource_key, seq)`);
    await queryRunner.query(`CREATE INDEX import_operations_key_order_idx ON import_operations (project_key, resource_type, resource_key, seq)`);
    await queryRunner.query(`DROP INDEX import_operations_key_idx`);
  }
}
