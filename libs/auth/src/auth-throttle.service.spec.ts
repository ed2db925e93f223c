import { AuthThrottleService } from './auth-throttle.service';

describe('AuthThrottleService', () => {
  const limits = { maxFailuresPerClientAddress: 3, maxFailuresPerAddress: 5, windowMs: 60_000 };
  const t0 = 1_000_000;

  it('locks a (client, address) pair after its limit, not the client from another address', () => {
    const throttle = AuthThrottleService.withLimits(limits);
    for (let i = 0; i < 3; i++) throttle.recordFailure('10.0.0.1', 'client', t0 + i);
    expect(throttle.retryAfter('10.0.0.1', 'client', t0 + 10)).toBe(60);
    expect(throttle.retryAfter('10.0.0.2', 'client', t0 + 10)).toBe(0);
    expect(throttle.retryAfter('10.0.0.1', 'other', t0 + 10)).toBe(0);
    // The window slides: once the oldest failure is older than the window, the pair is free again.
    expect(throttle.retryAfter('10.0.0.1', 'client', t0 + 60_001)).toBe(0);
  });

  it('locks an address after its limit for every client id and for requests without credentials', () => {
    const throttle = AuthThrottleService.withLimits(limits);
    for (let i = 0; i < 5; i++) throttle.recordFailure('10.0.0.1', `id-${i}`, t0);
    expect(throttle.retryAfter('10.0.0.1', 'anyone', t0 + 1000)).toBe(59);
    expect(throttle.retryAfter('10.0.0.1', undefined, t0 + 1000)).toBe(59);
    expect(throttle.retryAfter('10.0.0.9', 'anyone', t0 + 1000)).toBe(0);
  });

  it('forgets the failures of a pair on success', () => {
    const throttle = AuthThrottleService.withLimits(limits);
    for (let i = 0; i < 2; i++) throttle.recordFailure('10.0.0.1', 'client', t0);
    throttle.recordSuccess('10.0.0.1', 'client');
    throttle.recordFailure('10.0.0.1', 'client', t0);
    expect(throttle.retryAfter('10.0.0.1', 'client', t0)).toBe(0);
  });

  it('keeps its memory bounded under failures from many addresses', () => {
    const throttle = AuthThrottleService.withLimits({ ...limits, maxKeys: 100 });
    for (let i = 0; i < 10_000; i++) throttle.recordFailure(`10.0.${i >> 8}.${i & 255}`, `id-${i}`, t0);
    expect(throttle.size).toBeLessThanOrEqual(100);
    // The most recent ones are still remembered.
    for (let i = 0; i < 3; i++) throttle.recordFailure('10.9.9.9', 'client', t0);
    expect(throttle.retryAfter('10.9.9.9', 'client', t0)).toBeGreaterThan(0);
  });

  it('keeps at most the limit of failure times per key', () => {
    const throttle = AuthThrottleService.withLimits(limits);
    for (let i = 0; i < 1000; i++) throttle.recordFailure('10.0.0.1', 'client', t0 + i);
    const stored = (throttle as unknown as { failures: Map<string, number[]> }).failures;
    expect(Math.max(...[...stored.values()].map((list) => list.length))).toBeLessThanOrEqual(5);
  });
});
