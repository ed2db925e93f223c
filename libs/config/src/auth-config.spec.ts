import { ConfigError, loadConfig, parseTrustProxy } from './config';

describe('authentication throttling and proxy configuration', () => {
  it('has defaults: 10 failures per client and address, 100 per address, a minute, no trusted proxy', () => {
    expect(loadConfig({})).toMatchObject({ authMaxFailuresPerClientAddress: 10, authMaxFailuresPerAddress: 100, authThrottleWindowSeconds: 60, trustProxy: false });
  });

  it('reads the limits', () => {
    expect(loadConfig({ AUTH_MAX_FAILURES_PER_CLIENT_ADDRESS: '5', AUTH_MAX_FAILURES_PER_ADDRESS: '50', AUTH_THROTTLE_WINDOW_SECONDS: '300' })).toMatchObject({
      authMaxFailuresPerClientAddress: 5,
      authMaxFailuresPerAddress: 50,
      authThrottleWindowSeconds: 300,
    });
  });

  it.each([
    [{ AUTH_MAX_FAILURES_PER_CLIENT_ADDRESS: '0' }, 'AUTH_MAX_FAILURES_PER_CLIENT_ADDRESS'],
    [{ AUTH_MAX_FAILURES_PER_ADDRESS: 'many' }, 'AUTH_MAX_FAILURES_PER_ADDRESS'],
    [{ AUTH_THROTTLE_WINDOW_SECONDS: '-1' }, 'AUTH_THROTTLE_WINDOW_SECONDS'],
    [{ TRUST_PROXY: 'everyone' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '10.0.0.0/99' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '0' }, 'TRUST_PROXY'],
  ])('stops on %p naming the variable', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(name));
  });

  it('parses TRUST_PROXY as express trust proxy', () => {
    expect(parseTrustProxy(undefined)).toBe(false);
    expect(parseTrustProxy('false')).toBe(false);
    expect(parseTrustProxy('true')).toBe(true);
    expect(parseTrustProxy('2')).toBe(2);
    expect(parseTrustProxy('loopback, 10.0.0.0/8,fd00::/8')).toBe('loopback,10.0.0.0/8,fd00::/8');
  });
});
