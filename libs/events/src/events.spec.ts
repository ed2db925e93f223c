import { ConfigError, loadConfig } from '../../config/src';
import { sseFrame } from './event-streams.service';
import { isIsoDateTime, parseEventFilter } from './import-events.service';

describe('events configuration', () => {
  it('keeps events 30 days and pings every 15 s by default', () => {
    expect(loadConfig({})).toMatchObject({ eventsTtlMs: 30 * 86_400_000, eventsHeartbeatMs: 15_000 });
  });

  it('reads EVENTS_TTL like the container TTLs and EVENTS_HEARTBEAT_MS as milliseconds', () => {
    expect(loadConfig({ EVENTS_TTL: '72h', EVENTS_HEARTBEAT_MS: '250' })).toMatchObject({ eventsTtlMs: 72 * 3_600_000, eventsHeartbeatMs: 250 });
    expect(loadConfig({ EVENTS_TTL: '90m' }).eventsTtlMs).toBe(90 * 60_000);
  });

  it.each([{ EVENTS_TTL: '1 month' }, { EVENTS_TTL: '0d' }, { EVENTS_HEARTBEAT_MS: 'often' }, { EVENTS_HEARTBEAT_MS: '10' }])('stops on %p naming the variable', (env) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(Object.keys(env)[0]));
  });
});

describe('event list filters', () => {
  it.each(['2026-12-01T10:00:00Z', '2026-12-01T10:00Z', '2026-12-01T10:00:00.123456+01:00', '2024-02-29T23:59:59-05:30'])('accepts the date-time %s', (value) => {
    expect(isIsoDateTime(value)).toBe(true);
  });

  it.each(['2026-12-01', '2026-12-01T10:00:00', '2026-02-29T00:00:00Z', '2026-13-01T00:00:00Z', '2026-12-01T24:00:00Z', '2026-12-01T10:00:00.1234567Z', 'now', '2026-12-01T10:00:00+25:00'])(
    'refuses %s',
    (value) => {
      expect(isIsoDateTime(value)).toBe(false);
    },
  );

  it('collects every problem as one InvalidField each', () => {
    let errors: Array<{ code: string; field: string }> = [];
    try {
      parseEventFilter({ type: ['ImportContainerCreated', 'Nope'], resourceTypeId: 'product', from: 'x', to: 'y' });
    } catch (error) {
      errors = (error as { errors: typeof errors }).errors;
    }
    expect(errors.map((error) => [error.code, error.field])).toEqual([
      ['InvalidField', 'type'],
      ['InvalidField', 'resourceTypeId'],
      ['InvalidField', 'from'],
      ['InvalidField', 'to'],
    ]);
    expect(parseEventFilter({ type: 'ImportContainerCreated', resourceKey: 'k' })).toEqual({ types: ['ImportContainerCreated'], resourceKey: 'k', resourceId: undefined });
  });
});

describe('sseFrame', () => {
  it('writes id, event and one data line of JSON', () => {
    const event = {
      id: 'e1',
      sequenceNumber: 7,
      projectKey: 'p',
      type: 'ImportContainerCreated' as const,
      resource: { typeId: 'import-container' as const, key: 'k' },
      createdAt: '2026-12-01T00:00:00.000Z',
      data: { text: 'two\nlines' },
    };
    const frame = sseFrame(event);
    expect(frame).toBe(`id: 7\nevent: ImportContainerCreated\ndata: ${JSON.stringify(event)}\n\n`);
    expect(frame.split('\n')).toHaveLength(5);
  });
});
