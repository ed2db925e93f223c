export * from './signature';
export * from './subscription.dto';
export * from './subscriptions.service';
export * from './url-allowlist';
export * from './webhook-delivery.service';
export * from './webhook-sender';
export * from './webhooks.module';
export * from './webhooks.runner';
