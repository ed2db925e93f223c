import { MigrationInterface, QueryRunner } from 'typeorm';
import { documentTableSql } from './support/document-table';

/**
 * Products (commercetools Product documents) and two side tables the appliers keep in sync on every
 * write: variants (resolve `product-variant` references by key, unique SKUs and variant keys per
 * project) and slugs (unique per locale per project).
 */
export class Products1764100006000 implements MigrationInterface {
  name = 'Products1764100006000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(documentTableSql('products', ['product_type_id uuid NOT NULL']));
    await queryRunner.query(`CREATE INDEX products_product_type_idx ON products (project_key, product_type_id)`);
    await queryRunner.query(`CREATE TABLE product_variants (
      project_key text    NOT NULL,
      product_id  uuid    NOT NULL,
      variant_id  integer NOT NULL,
      key         text    NULL,
      sku         text    NULL,
      PRIMARY KEY (project_key, product_id, variant_id),
      FOREIGN KEY (project_key, product_id) REFERENCES products (project_key, id) ON DELETE CASCADE
    )`);
    await queryRunner.query(`CREATE UNIQUE INDEX product_variants_sku_unique ON product_variants (project_key, sku) WHERE sku IS NOT NULL`);
    await queryRunner.query(`CREATE UNIQUE INDEX product_variants_key_unique ON product_variants (project_key, key) WHERE key IS NOT NULL`);
    await queryRunner.query(`CREATE TABLE product_slugs (
      project_key text NOT NULL,
      locale      text NOT NULL,
      slug        text NOT NULL,
      product_id  uuid NOT NULL,
      PRIMARY KEY (project_key, locale, slug),
      FOREIGN KEY (project_key, product_id) REFERENCES products (project_key, id) ON DELETE CASCADE
    )`);
    await queryRunner.query(`CREATE INDEX product_slugs_product_idx ON product_slugs (project_key, product_id)`);
    // A reference target needs (project_key, id, key): a product-variant reference resolves to its product's id.
    await queryRunner.query(`CREATE VIEW product_variant_keys AS SELECT project_key, product_id AS id, key FROM product_variants WHERE key IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP VIEW product_variant_keys`);
    await queryRunner.query(`DROP TABLE product_slugs`);
    await queryRunner.query(`DROP TABLE product_variants`);
    await queryRunner.query(`DROP TABLE products`);
  }
}
