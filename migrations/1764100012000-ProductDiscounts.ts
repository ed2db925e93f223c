import { MigrationInterface, QueryRunner } from 'typeorm';
import { documentTableSql } from './support/document-table';

/** Product discounts: referenced-only (by prices' `discounted.discount`), created through their own API or the seed command. */
export class ProductDiscounts1764100012000 implements MigrationInterface {
  name = 'ProductDiscounts1764100012000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(documentTableSql('product_discounts'));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE product_discounts`);
  }
}
