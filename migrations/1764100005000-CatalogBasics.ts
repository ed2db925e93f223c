import { MigrationInterface, QueryRunner } from 'typeorm';
import { documentTableSql } from './support/document-table';

/** Categories (with their per-locale slugs), custom types, inventory entries and standalone prices. */
export class CatalogBasics1764100005000 implements MigrationInterface {
  name = 'CatalogBasics1764100005000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(documentTableSql('categories', ['parent_id        uuid        NULL']));
    await queryRunner.query(`CREATE INDEX categories_parent_idx ON categories (project_key, parent_id) WHERE parent_id IS NOT NULL`);
    // A category slug is unique per locale within a project (as in commercetools).
    await queryRunner.query(`CREATE TABLE category_slugs (
      project_key text NOT NULL,
      locale      text NOT NULL,
      slug        text NOT NULL,
      category_id uuid NOT NULL,
      PRIMARY KEY (project_key, locale, slug),
      FOREIGN KEY (project_key, category_id) REFERENCES categories (project_key, id) ON DELETE CASCADE
    )`);
    await queryRunner.query(`CREATE INDEX category_slugs_category_idx ON category_slugs (project_key, category_id)`);

    await queryRunner.query(documentTableSql('types'));

    await queryRunner.query(documentTableSql('inventory_entries', ['sku              text        NOT NULL', 'supply_channel_id uuid       NULL']));
    // One entry per (sku, supply channel); entries without a channel share the "no channel" slot.
    await queryRunner.query(
      `CREATE UNIQUE INDEX inventory_entries_sku_channel_unique
          ON inventory_entries (project_key, sku, COALESCE(supply_channel_id, '00000000-0000-0000-0000-000000000000'::uuid))`,
    );

    await queryRunner.query(documentTableSql('standalone_prices', ['sku              text        NOT NULL']));
    await queryRunner.query(`CREATE INDEX standalone_prices_sku_idx ON standalone_prices (project_key, sku)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE standalone_prices`);
    await queryRunner.query(`DROP TABLE inventory_entries`);
    await queryRunner.query(`DROP TABLE types`);
    await queryRunner.query(`DROP TABLE category_slugs`);
    await queryRunner.query(`DROP TABLE categories`);
  }
}
