import { MigrationInterface, QueryRunner } from 'typeorm';

export class CatalogBasics1764100005000 implements MigrationInterface {
  name = 'CatalogBasics1764100005000';

  async up(_queryRunner: QueryRunner): Promise<void> {
    // Filled in by the CatalogBasics work.
  }

  async down(_queryRunner: QueryRunner): Promise<void> {
    // Filled in by the CatalogBasics work.
  }
}
