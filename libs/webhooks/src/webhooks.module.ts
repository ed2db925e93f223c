import { Module } from '@nestjs/common';
import { SubscriptionsService } from './subscriptions.service';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { WebhooksRunner } from './webhooks.runner';

/** Webhook subscriptions (API) and their delivery (worker role `webhooks`, active only when WORKER_ROLES names it). */
@Module({
  providers: [SubscriptionsService, WebhookDeliveryService, WebhooksRunner],
  exports: [SubscriptionsService, WebhookDeliveryService, WebhooksRunner],
})
export class WebhooksModule {}
