import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook subscriptions and their delivery queue (issue 18).
 *
 * `subscriptions.secret` is stored in clear: signing (HMAC-SHA256) needs it. It is only ever returned by the
 * creation response and never logged. `event_cursor` is the last sequence number of the project's events
 * already copied into the subscription's queue; `locked_until`/`locked_by` are the delivery lease (one worker
 * delivers one subscription at a time, a dead worker's lease expires). `subscription_deliveries` holds one row per
 * (subscription, event) with the event JSON exactly as sent (`body`), the retry state (`attempts`, `next_attempt_at`) and the outcome.
 */
export class Subscriptions1764100017000 implements MigrationInterface {
  name = 'Subscriptions1764100017000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE subscriptions (
        project_key          text        NOT NULL,
        id                   uuid        NOT NULL DEFAULT gen_random_uuid(),
        key                  text        NOT NULL,
        version              integer     NOT NULL DEFAULT 1,
        url                  text        NOT NULL,
        events               text[]      NOT NULL,
        enabled              boolean     NOT NULL DEFAULT true,
        secret               text        NOT NULL,
        event_cursor         bigint      NOT NULL DEFAULT 0,
        consecutive_failures integer     NOT NULL DEFAULT 0,
        locked_until         timestamptz NULL,
        locked_by            text        NULL,
        created_at           timestamptz NOT NULL DEFAULT now(),
        last_modified_at     timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (project_key, id),
        UNIQUE (project_key, key)
      )`);
    await queryRunner.query(`
      CREATE TABLE subscription_deliveries (
        project_key      text        NOT NULL,
        subscription_id  uuid        NOT NULL,
        sequence_number  bigint      NOT NULL,
        event_id         uuid        NOT NULL,
        event_type       text        NOT NULL,
        body             text        NOT NULL,
        state            text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered')),
        attempts         integer     NOT NULL DEFAULT 0,
        last_status_code integer     NULL,
        last_error       text        NULL,
        next_attempt_at  timestamptz NULL,
        last_attempt_at  timestamptz NULL,
        delivered_at     timestamptz NULL,
        created_at       timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (project_key, subscription_id, sequence_number),
        FOREIGN KEY (project_key, subscription_id) REFERENCES subscriptions (project_key, id) ON DELETE CASCADE
      )`);
    // The head of each subscription's queue: its oldest pending delivery.
    await queryRunner.query(`CREATE INDEX subscription_deliveries_pending_idx ON subscription_deliveries (project_key, subscription_id, sequence_number) WHERE state = 'pending'`);
    // The delivery log's cleanup of old delivered rows.
    await queryRunner.query(`CREATE INDEX subscription_deliveries_delivered_idx ON subscription_deliveries (delivered_at) WHERE state = 'delivered'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE subscription_deliveries`);
    await queryRunner.query(`DROP TABLE subscriptions`);
  }
}
