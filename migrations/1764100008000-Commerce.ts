import { MigrationInterface, QueryRunner } from 'typeorm';

export class Commerce1764100008000 implements MigrationInterface {
  name = 'Commerce1764100008000';

  async up(_queryRunner: QueryRunner): Promise<void> {
    // Filled in by the Commerce work.
  }

  async down(_queryRunner: QueryRunner): Promise<void> {
    // Filled in by the Commerce work.
  }
}
