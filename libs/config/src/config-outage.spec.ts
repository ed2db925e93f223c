import { ConfigError, loadConfig } from './config';

describe('loadConfig: database outage settings', () => {
  it('defaults to a 3 s connect timeout', () => {
    expect(loadConfig({})).toMatchObject({ databaseConnectTimeoutMs: 3000 });
    expect(loadConfig({ DATABASE_CONNECT_TIMEOUT_MS: '500' })).toMatchObject({ databaseConnectTimeoutMs: 500 });
  });

  it.each([
    [{ DATABASE_CONNECT_TIMEOUT_MS: '10' }, 'DATABASE_CONNECT_TIMEOUT_MS'],
  ])('stops on %p naming the variable', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(name));
  });
});
