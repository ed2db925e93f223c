import { ConfigError, loadConfig } from './config';

describe('loadConfig: database outage and lease settings', () => {
  it('defaults to a 10 s lease and a 3 s connect timeout', () => {
    expect(loadConfig({})).toMatchObject({ processorLeaseSeconds: 10, databaseConnectTimeoutMs: 3000 });
    expect(loadConfig({ PROCESSOR_LEASE_SECONDS: '2', DATABASE_CONNECT_TIMEOUT_MS: '500' })).toMatchObject({ processorLeaseSeconds: 2, databaseConnectTimeoutMs: 500 });
  });

  it.each([
    [{ PROCESSOR_LEASE_SECONDS: '0' }, 'PROCESSOR_LEASE_SECONDS'],
    [{ PROCESSOR_LEASE_SECONDS: 'ten' }, 'PROCESSOR_LEASE_SECONDS'],
    [{ DATABASE_CONNECT_TIMEOUT_MS: '10' }, 'DATABASE_CONNECT_TIMEOUT_MS'],
  ])('stops on %p naming the variable', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(name));
  });
});
