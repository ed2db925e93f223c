import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-key order follows acceptance, whatever connection accepted an operation.
 *
 * Before: `seq` came from a sequence with CACHE 100, so each backend handed out numbers from its own
 * block; requests answered one after another on two pooled connections got their numbers out of order,
 * and the claim (per-key order) and `sort=createdAt` both followed `seq`.
 *
 * Now the order of an operation is `(created_at, seq)`: an accept takes a transaction-scoped advisory
 * lock on each (project, type, key) it stores and only then reads the clock and the sequence, so for one
 * key the later commit always gets the later `(created_at, seq)`. The sequence hands out numbers one at
 * a time (CACHE 1) so that `seq` also follows real time across backends and breaks ties correctly.
 * Existing rows keep their values: their `created_at` was the start of the accepting transaction, which
 * orders requests answered one after another correctly, unlike their `seq`.
 */
export class AcceptOrder1764100011000 implements MigrationInterface {
  name = 'AcceptOrder1764100011000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER SEQUENCE import_operations_seq CACHE 1`);
    await queryRunner.query(`CREATE INDEX import_operations_container_order_idx ON import_operations (project_key, container_id, created_at, seq)`);
    await queryRunner.query(`CREATE INDEX import_operations_container_state_order_idx ON import_operations (project_key, container_id, state, created_at, seq)`);
    await queryRunner.query(`CREATE INDEX import_operations_key_order_idx ON import_operations (project_key, resource_key, resource_type, created_at, seq)`);
    await queryRunner.query(`DROP INDEX import_operations_container_seq_idx`);
    await queryRunner.query(`DROP INDEX import_operations_container_state_idx`);
    await queryRunner.query(`DROP INDEX import_operations_key_idx`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX import_operations_key_idx ON import_operations (project_key, resource_key, resource_type, seq)`);
    await queryRunner.query(`CREATE INDEX import_operations_container_state_idx ON import_operations (project_key, container_id, state, seq)`);
    await queryRunner.query(`CREATE INDEX import_operations_container_seq_idx ON import_operations (project_key, container_id, seq)`);
    await queryRunner.query(`DROP INDEX import_operations_key_order_idx`);
    await queryRunner.query(`DROP INDEX import_operations_container_state_order_idx`);
    await queryRunner.query(`DROP INDEX import_operations_container_order_idx`);
    await queryRunner.query(`ALTER SEQUENCE import_operations_seq CACHE 100`);
  }
}
