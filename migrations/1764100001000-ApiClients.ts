import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * API clients and token signing keys are installation-wide (a client may hold scopes of several
 * projects); on a distributed Postgres they are reference tables.
 */
export class ApiClients1764100001000 implements MigrationInterface {
  name = 'ApiClients1764100001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE api_clients (
        id          text        PRIMARY KEY,
        name        text        NOT NULL,
        secret_hash text        NOT NULL,
        scopes      text[]      NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE signing_keys (
        kid         text        PRIMARY KEY,
        algorithm   text        NOT NULL,
        private_jwk jsonb       NOT NULL,
        public_jwk  jsonb       NOT NULL,
        active      boolean     NOT NULL DEFAULT true,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE TABLE berth_meta (key text PRIMARY KEY, value jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE berth_meta`);
    await queryRunner.query(`DROP TABLE signing_keys`);
    await queryRunner.query(`DROP TABLE api_clients`);
  }
}
