import { Inject, Injectable } from '@nestjs/common';
import { BERTH_CONFIG, BerthConfig } from '../../config/src';

/** Most (client id, address) pairs and addresses remembered at once; beyond, the oldest are forgotten first. */
export const MAX_THROTTLE_KEYS = 50_000;

export interface AuthThrottleLimits {
  maxFailuresPerClientAddress: number;
  maxFailuresPerAddress: number;
  windowMs: number;
  maxKeys?: number;
}

/**
 * Slows down guessing of client secrets without letting anyone lock a client out: failures count per
 * (client id, source address) pair and per source address within a sliding window. Once a pair is over its
 * limit, that client id from that address gets 429; once an address is over its (higher) limit, every token
 * request from it does. The right secret from another address is never affected. Memory is bounded.
 */
@Injectable()
export class AuthThrottleService {
  /** Key → failure times (ascending, at most the key's limit), in least-recently-failed-first order. */
  private readonly failures = new Map<string, number[]>();
  private readonly limits: Required<AuthThrottleLimits>;

  constructor(@Inject(BERTH_CONFIG) config: BerthConfig) {
    this.limits = {
      maxFailuresPerClientAddress: config.authMaxFailuresPerClientAddress,
      maxFailuresPerAddress: config.authMaxFailuresPerAddress,
      windowMs: config.authThrottleWindowSeconds * 1000,
      maxKeys: MAX_THROTTLE_KEYS,
    };
  }

  /** For tests and tools: other limits than the configured ones. */
  static withLimits(limits: AuthThrottleLimits): AuthThrottleService {
    const service = Object.create(AuthThrottleService.prototype) as AuthThrottleService;
    Object.assign(service, { failures: new Map(), limits: { maxKeys: MAX_THROTTLE_KEYS, ...limits } });
    return service;
  }

  /** Seconds to wait when the address, or this client id from this address, is locked out; else 0. */
  retryAfter(address: string, clientId?: string, now = Date.now()): number {
    let wait = 0;
    for (const [key, max] of this.keys(address, clientId)) {
      const recent = this.recent(key, now);
      if (recent.length >= max) wait = Math.max(wait, Math.max(1, Math.ceil((recent[recent.length - max] + this.limits.windowMs - now) / 1000)));
    }
    return wait;
  }

  recordFailure(address: string, clientId?: string, now = Date.now()): void {
    for (const [key, max] of this.keys(address, clientId)) {
      const recent = [...this.recent(key, now), now].slice(-max);
      this.failures.delete(key);
      this.failures.set(key, recent);
    }
    if (this.failures.size > this.limits.maxKeys) {
      for (const [key] of this.failures) if (this.recent(key, now).length === 0) this.failures.delete(key);
      for (const [key] of this.failures) {
        if (this.failures.size <= this.limits.maxKeys) break;
        this.failures.delete(key);
      }
    }
  }

  /** A successful authentication forgets the failures of its (client id, address) pair. */
  recordSuccess(address: string, clientId: string): void {
    this.failures.delete(pairKey(address, clientId));
  }

  /** Keys currently remembered (for tests of the memory bound). */
  get size(): number {
    return this.failures.size;
  }

  private keys(address: string, clientId: string | undefined): Array<[string, number]> {
    const keys: Array<[string, number]> = [[`address:${address}`, this.limits.maxFailuresPerAddress]];
    if (clientId !== undefined) keys.push([pairKey(address, clientId), this.limits.maxFailuresPerClientAddress]);
    return keys;
  }

  private recent(key: string, now: number): number[] {
    const list = this.failures.get(key);
    if (!list) return [];
    const fresh = list.filter((at) => now - at < this.limits.windowMs);
    if (fresh.length === 0) this.failures.delete(key);
    else if (fresh.length !== list.length) this.failures.set(key, fresh);
    return fresh;
  }
}

const pairKey = (address: string, clientId: string) => `pair:${JSON.stringify([clientId, address])}`;
