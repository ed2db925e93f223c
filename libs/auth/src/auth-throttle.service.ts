import { Injectable } from '@nestjs/common';

const WINDOW_MS = 60_000;
/** Failures allowed per window: per client id, and (higher, since many clients may share an address) per remote address. */
const MAX_FAILURES_PER_CLIENT = 10;
const MAX_FAILURES_PER_ADDRESS = 100;

/**
 * Slows down guessing of client secrets: after too many failed authentications for one client id or
 * one remote address within a minute, the token endpoint answers 429 until the window has passed.
 */
@Injectable()
export class AuthThrottleService {
  private readonly failures = new Map<string, number[]>();

  /** Seconds to wait when any of the keys is locked out, else 0. */
  retryAfter(keys: string[], now = Date.now()): number {
    let wait = 0;
    for (const key of keys) {
      const recent = this.recent(key, now);
      const max = key.startsWith('ip:') ? MAX_FAILURES_PER_ADDRESS : MAX_FAILURES_PER_CLIENT;
      if (recent.length >= max) wait = Math.max(wait, Math.ceil((recent[0] + WINDOW_MS - now) / 1000));
    }
    return wait;
  }

  recordFailure(keys: string[], now = Date.now()): void {
    for (const key of keys) this.failures.set(key, [...this.recent(key, now), now]);
    if (this.failures.size > 50_000) {
      for (const [key] of this.failures) if (this.recent(key, now).length === 0) this.failures.delete(key);
    }
  }

  private recent(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((at) => now - at < WINDOW_MS);
    if (list.length === 0) this.failures.delete(key);
    else this.failures.set(key, list);
    return list;
  }
}
