import { MigrationInterface, QueryRunner } from 'typeorm';
import { documentTableSql } from './support/document-table';

/** Referenced-only resources (channels, tax categories, …): created through their own API or the seed command. */
const TABLES = ['channels', 'tax_categories', 'customer_groups', 'states', 'stores', 'cart_discounts', 'shipping_methods', 'zones', 'attribute_groups'];

export class ReferencedResources1764100007000 implements MigrationInterface {
  name = 'ReferencedResources1764100007000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of TABLES) await queryRunner.query(documentTableSql(table));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [...TABLES].reverse()) await queryRunner.query(`DROP TABLE ${table}`);
  }
}
