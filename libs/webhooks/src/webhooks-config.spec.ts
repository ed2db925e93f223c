import { ConfigError, loadConfig, parseWorkerRoles } from '../../config/src';

describe('webhook configuration', () => {
  it('has defaults: timeout 10 s, disable after 10 failures, backoff capped at 1 h, allow all, role on by default', () => {
    expect(loadConfig({})).toMatchObject({
      webhookTimeoutMs: 10_000,
      webhookMaxAttemptsBeforeDisable: 10,
      webhookMaxBackoffMs: 3_600_000,
      webhookUrlAllowlist: [],
      webhookConcurrency: 4,
      webhookDeliveryLogDays: 30,
    });
    expect(loadConfig({}).workerRoles).toContain('webhooks');
    expect(parseWorkerRoles('webhooks', [])).toEqual(['webhooks']);
  });

  it('reads WEBHOOK_MAX_BACKOFF as a duration (a bare number is seconds) within 1 s..7 d', () => {
    expect(loadConfig({ WEBHOOK_MAX_BACKOFF: '90s' }).webhookMaxBackoffMs).toBe(90_000);
    expect(loadConfig({ WEBHOOK_MAX_BACKOFF: '15m' }).webhookMaxBackoffMs).toBe(900_000);
    expect(loadConfig({ WEBHOOK_MAX_BACKOFF: '120' }).webhookMaxBackoffMs).toBe(120_000);
    expect(() => loadConfig({ WEBHOOK_MAX_BACKOFF: '8d' })).toThrow(ConfigError);
    expect(() => loadConfig({ WEBHOOK_MAX_BACKOFF: '500ms' })).toThrow(/WEBHOOK_MAX_BACKOFF/);
    expect(() => loadConfig({ WEBHOOK_MAX_BACKOFF: 'soon' })).toThrow(/WEBHOOK_MAX_BACKOFF/);
  });

  it('names a bad variable', () => {
    expect(() => loadConfig({ WEBHOOK_TIMEOUT_MS: '10' })).toThrow(/WEBHOOK_TIMEOUT_MS/);
    expect(() => loadConfig({ WEBHOOK_MAX_ATTEMPTS_BEFORE_DISABLE: '0' })).toThrow(/WEBHOOK_MAX_ATTEMPTS_BEFORE_DISABLE/);
    expect(() => loadConfig({ WEBHOOK_URL_ALLOWLIST: 'not a host' })).toThrow(/WEBHOOK_URL_ALLOWLIST/);
  });
});
