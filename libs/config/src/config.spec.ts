import { ConfigError, loadConfig, parseTimeToLive, parseWorkerRoles } from './config';

describe('loadConfig', () => {
  it('has working defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 8080, databaseUrl: undefined, workerRoles: ['processor', 'reaper', 'webhooks'], maxContainersPerProject: 1000, tokenLifetimeSeconds: 172800 });
    expect(config.defaultContainerTtlMs).toBeUndefined();
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ WORKER_ROLES: 'processor,cook' }, 'WORKER_ROLES'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ MIGRATIONS_RUN: 'maybe' }, 'MIGRATIONS_RUN'],
    [{ MAX_CONTAINERS_PER_PROJECT: '0' }, 'MAX_CONTAINERS_PER_PROJECT'],
    [{ DEFAULT_CONTAINER_TTL: '3 weeks' }, 'DEFAULT_CONTAINER_TTL'],
  ])('stops on %p naming the variable', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(name));
  });

  it('parses worker roles', () => {
    expect(parseWorkerRoles('none', ['processor'])).toEqual([]);
    expect(parseWorkerRoles(' reaper , processor,reaper', [])).toEqual(['reaper', 'processor']);
  });

  it('parses commercetools time to live', () => {
    expect(parseTimeToLive('1h')).toBe(3_600_000);
    expect(parseTimeToLive('30d')).toBe(30 * 86_400_000);
    expect(parseTimeToLive('90m')).toBe(90 * 60_000);
    expect(parseTimeToLive('1w')).toBeUndefined();
  });
});
