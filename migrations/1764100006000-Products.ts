import { MigrationInterface, QueryRunner } from 'typeorm';

export class Products1764100006000 implements MigrationInterface {
  name = 'Products1764100006000';

  async up(_queryRunner: QueryRunner): Promise<void> {
    // Filled in by the Products work.
  }

  async down(_queryRunner: QueryRunner): Promise<void> {
    // Filled in by the Products work.
  }
}
