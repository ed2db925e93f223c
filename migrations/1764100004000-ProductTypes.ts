import { MigrationInterface, QueryRunner } from 'typeorm';
import { documentTableSql } from './support/document-table';

export class ProductTypes1764100004000 implements MigrationInterface {
  name = 'ProductTypes1764100004000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(documentTableSql('product_types'));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE product_types`);
  }
}
