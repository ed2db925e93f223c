import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The dashboard's throughput (`GET /{projectKey}/import-stats/throughput`) counts the operations settled in the last
 * few minutes by `last_modified_at`. A BRIN index finds them without scanning the table: a settle rewrites the row
 * (a new tuple in the most recently filled heap pages), so recent timestamps sit in the last block ranges — and
 * ranges not yet summarised are always visited, so the answer is exact. Unlike a B-tree it costs the processor's
 * settle next to nothing (one summary per 128 pages, not an entry per row).
 */
export class ThroughputIndex1764100019190 implements MigrationInterface {
  name = 'ThroughputIndex1764100019190';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX import_operations_last_modified_brin ON import_operations USING brin (last_modified_at) WITH (autosummarize = on)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX import_operations_last_modified_brin`);
  }
}
