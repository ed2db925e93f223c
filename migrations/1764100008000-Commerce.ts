import { MigrationInterface, QueryRunner } from 'typeorm';
import { documentTableSql } from './support/document-table';

/**
 * Customers, discount codes, orders (keyed by orderNumber), business units, product selections and product
 * tailorings. Customers keep the password hash and the columns of the email uniqueness check outside `data`;
 * the read API returns only `data`.
 */
export class Commerce1764100008000 implements MigrationInterface {
  name = 'Commerce1764100008000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(documentTableSql('customers', ['email_lower text NOT NULL', `store_keys text[] NOT NULL DEFAULT '{}'`, 'password_hash text NULL']));
    await queryRunner.query(`CREATE INDEX customers_email_idx ON customers (project_key, email_lower)`);
    await queryRunner.query(documentTableSql('discount_codes', ['code text NOT NULL', 'CONSTRAINT discount_codes_code_unique UNIQUE (project_key, code)']));
    // The key of an order is its orderNumber.
    await queryRunner.query(documentTableSql('orders'));
    await queryRunner.query(documentTableSql('business_units'));
    await queryRunner.query(documentTableSql('product_selections', [`assignments jsonb NOT NULL DEFAULT '[]'`]));
    await queryRunner.query(
      documentTableSql('product_tailorings', ['store_id uuid NOT NULL', 'product_id uuid NOT NULL', 'CONSTRAINT product_tailorings_store_product_unique UNIQUE (project_key, store_id, product_id)']),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['product_tailorings', 'product_selections', 'business_units', 'orders', 'discount_codes', 'customers']) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  }
}
