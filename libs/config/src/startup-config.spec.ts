import { ConfigError, loadConfig } from './config';

describe('start-up configuration', () => {
  it('rejects a malformed REAPER_CRON at load time, naming the variable and the value', () => {
    expect(() => loadConfig({ REAPER_CRON: 'every-minute' })).toThrow(ConfigError);
    expect(() => loadConfig({ REAPER_CRON: 'every-minute' })).toThrow("REAPER_CRON is not a valid cron expression: 'every-minute'");
    expect(loadConfig({ REAPER_CRON: '0 3 * * *' }).reaperCron).toBe('0 3 * * *');
    expect(loadConfig({}).reaperCron).toBe('* * * * *');
  });

  it('WORKER_HTTP_PORT: unset means no HTTP, otherwise a port', () => {
    expect(loadConfig({}).workerHttpPort).toBeUndefined();
    expect(loadConfig({ WORKER_HTTP_PORT: '9090' }).workerHttpPort).toBe(9090);
    expect(() => loadConfig({ WORKER_HTTP_PORT: 'http' })).toThrow(/WORKER_HTTP_PORT/);
  });
});
