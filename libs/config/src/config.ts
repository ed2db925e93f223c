import { isIP } from 'node:net';
import * as path from 'node:path';
import { validateCronExpression } from 'cron';

export type WorkerRole = 'processor' | 'reaper' | 'webhooks';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Berth's whole configuration, read once from the environment and validated. */
export interface BerthConfig {
  port: number;
  host: string;
  /** Undefined means: start the embedded Postgres. */
  databaseUrl?: string;
  databasePoolSize: number;
  /** How long taking a database connection may wait before the request fails with 503. */
  databaseConnectTimeoutMs: number;
  migrationsRun: boolean;
  dataDir: string;
  embeddedPgPort?: number;
  workerRoles: WorkerRole[];
  logLevel: LogLevel;
  maxContainersPerProject: number;
  /** Default container time to live in ms when a container has no retention policy; undefined = permanent. */
  defaultContainerTtlMs?: number;
  bodyLimitBytes: number;
  tokenLifetimeSeconds: number;
  operationTtlHours: number;
  processorBatchSize: number;
  /** Operations of one claimed batch settled at the same time (each on its own connection). */
  processorConcurrency: number;
  processorPollMs: number;
  /** How long a claim holds an operation; renewed by a heartbeat while its batch settles, so a dead worker's claims are free after this. */
  processorLeaseSeconds: number;
  reaperCron: string;
  /** Longest a reaper sweep runs before leaving the rest to the next tick. */
  reaperMaxSweepSeconds: number;
  /** Port of the worker's own HTTP server (/health, /metrics); undefined = the worker serves no HTTP. */
  workerHttpPort?: number;
  devClientProject: string;
  /** Failed token requests allowed per window for one client id from one address, then 429 for that pair. */
  authMaxFailuresPerClientAddress: number;
  /** Failed token requests allowed per window from one address (any client ids), then 429 for that address. */
  authMaxFailuresPerAddress: number;
  authThrottleWindowSeconds: number;
  /** express `trust proxy`: false (default, X-Forwarded-For ignored), true, a hop count, or addresses/subnets. */
  trustProxy: boolean | number | string;
  /** Webhook deliveries (role `webhooks`): how long a receiver may take to answer 2xx. */
  webhookTimeoutMs: number;
  /** Consecutive failed deliveries after which a subscription is disabled. */
  webhookMaxAttemptsBeforeDisable: number;
  /** Cap of the exponential retry delay (the first retry comes after 5 s, then 10 s, 20 s, …). */
  webhookMaxBackoffMs: number;
  /** Entries a subscription URL must match (URL prefixes, hostnames, `*.domain`, IPs, CIDRs); empty = any http(s) URL. */
  webhookUrlAllowlist: string[];
  /** Subscriptions delivered at the same time by one process (each strictly in order). */
  webhookConcurrency: number;
  /** Interval of the delivery tick (retries falling due); new events wake the worker at once through NOTIFY. */
  webhookPollMs: number;
  /** Days a delivered delivery stays in the delivery log. */
  webhookDeliveryLogDays: number;
  /** How long events (import_events) are kept before the reaper deletes them (EVENTS_TTL, default 30d). */
  eventsTtlMs: number;
  /** Interval of the `: ping` comments on the SSE event stream (EVENTS_HEARTBEAT_MS, default 15 s). */
  eventsHeartbeatMs: number;
  /** Largest file a file import accepts (bytes; 413 beyond): FILE_IMPORT_MAX_BYTES. */
  fileImportMaxBytes: number;
  /** Most inline `inputs` one file import takes (400 beyond): FILE_IMPORT_MAX_INLINE_INPUTS. */
  fileImportMaxInlineInputs: number;
  /** Row errors (and warnings) a file import keeps; `errorsTotal` counts them all: FILE_IMPORT_MAX_ERRORS. */
  fileImportMaxErrors: number;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got '${raw}'`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got '${raw}'`);
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got '${raw}'`);
}

const TRUST_PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** TRUST_PROXY: unset/false = off; true; a hop count; or a comma-separated list of addresses, subnets (CIDR) and loopback/linklocal/uniquelocal. */
export function parseTrustProxy(raw: string | undefined): boolean | number | string {
  const value = (raw ?? '').trim();
  if (value === '' || /^(false|no|off)$/i.test(value)) return false;
  if (/^(true|yes|on)$/i.test(value)) return true;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops < 1 || hops > 32) throw new ConfigError(`TRUST_PROXY hop count must be between 1 and 32, got '${raw}'`);
    return hops;
  }
  const entries = value.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const [address, prefix, extra] = entry.split('/');
    const family = isIP(address ?? '');
    const prefixOk = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
    if (!TRUST_PROXY_NAMES.includes(entry) && (family === 0 || !prefixOk || extra !== undefined)) {
      throw new ConfigError(`TRUST_PROXY must be true, false, a hop count or a comma-separated list of addresses, subnets and ${TRUST_PROXY_NAMES.join('/')}; got '${raw}'`);
    }
  }
  return entries.join(',');
}

const TTL_PATTERN = /^(\d+)(d|h|m)$/;
const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000 };

/** Parses a commercetools timeToLive such as `72h`, `30d`, `90m` into milliseconds; undefined when malformed. */
export function parseTimeToLive(value: string): number | undefined {
  const match = TTL_PATTERN.exec(value);
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2]];
}

/** A cron expression (5 or 6 fields, as the `cron` package reads them), checked at load time rather than when the scheduler starts. */
function parseCron(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  const value = raw === undefined || raw.trim() === '' ? fallback : raw.trim();
  const check = validateCronExpression(value);
  if (!check.valid) throw new ConfigError(`${name} is not a valid cron expression: '${raw}' (e.g. '*/5 * * * *' for every 5 minutes)`);
  return value;
}

const DURATION_PATTERN = /^(\d+)(ms|s|m|h|d)?$/;
const DURATION_UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration such as `500ms`, `30s`, `15m`, `1h`, `2d` (a bare number is seconds), within [min, max] ms. */
function parseDuration(env: Env, name: string, fallback: string, minMs: number, maxMs: number): number {
  const raw = env[name];
  const value = raw === undefined || raw.trim() === '' ? fallback : raw.trim();
  const match = DURATION_PATTERN.exec(value);
  const ms = match ? Number(match[1]) * DURATION_UNIT_MS[match[2] ?? 's'] : NaN;
  if (!match || ms < minMs || ms > maxMs) {
    throw new ConfigError(`${name} must be a duration such as 30s, 15m or 1h between ${minMs / 1000}s and ${maxMs / 86_400_000}d, got '${raw}'`);
  }
  return ms;
}

const HOSTNAME_PATTERN = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i;

/**
 * WEBHOOK_URL_ALLOWLIST: comma-separated URL prefixes (`https://hooks.example.com/`), hostnames (`hooks.example.com`,
 * `*.example.com`), IP addresses and CIDRs (`10.0.0.0/8`, `fd00::/8`). Empty = every http(s) URL is allowed.
 */
export function parseUrlAllowlist(raw: string | undefined): string[] {
  const entries = (raw ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);
  for (const entry of entries) {
    if (/^https?:\/\//i.test(entry)) {
      try {
        new URL(entry);
        continue;
      } catch {
        throw new ConfigError(`WEBHOOK_URL_ALLOWLIST entry '${entry}' is not a valid URL prefix`);
      }
    }
    const [address, prefix, extra] = entry.split('/');
    const family = isIP(address ?? '');
    if (family !== 0 && extra === undefined && (prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32)))) continue;
    if (prefix === undefined && HOSTNAME_PATTERN.test(entry)) continue;
    throw new ConfigError(`WEBHOOK_URL_ALLOWLIST entries must be URL prefixes (https://host/path), hostnames (*.example.com), IP addresses or CIDRs; got '${entry}'`);
  }
  return entries;
}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const ROLES: WorkerRole[] = ['processor', 'reaper', 'webhooks'];

export function parseWorkerRoles(raw: string | undefined, fallback: WorkerRole[]): WorkerRole[] {
  if (raw === undefined || raw.trim() === '') return fallback;
  if (raw.trim() === 'none') return [];
  const roles = raw.split(',').map((role) => role.trim()).filter(Boolean);
  for (const role of roles) {
    if (!ROLES.includes(role as WorkerRole)) {
      throw new ConfigError(`WORKER_ROLES must be 'none' or a comma-separated list of ${ROLES.join(', ')}; unknown role '${role}'`);
    }
  }
  return [...new Set(roles)] as WorkerRole[];
}

export function loadConfig(env: Env = process.env): BerthConfig {
  const databaseUrl = env.DATABASE_URL && env.DATABASE_URL.trim() !== '' ? env.DATABASE_URL.trim() : undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(`DATABASE_URL must be a postgres:// or postgresql:// URL`);
  }
  const logLevel = (env.LOG_LEVEL ?? 'info').trim() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got '${env.LOG_LEVEL}'`);
  let defaultContainerTtlMs: number | undefined;
  if (env.DEFAULT_CONTAINER_TTL && env.DEFAULT_CONTAINER_TTL.trim() !== '') {
    defaultContainerTtlMs = parseTimeToLive(env.DEFAULT_CONTAINER_TTL.trim());
    if (defaultContainerTtlMs === undefined) {
      throw new ConfigError(`DEFAULT_CONTAINER_TTL must look like 72h, 30d or 90m, got '${env.DEFAULT_CONTAINER_TTL}'`);
    }
  }
  const eventsTtlRaw = (env.EVENTS_TTL ?? '').trim();
  const eventsTtlMs = eventsTtlRaw === '' ? 30 * UNIT_MS.d : parseTimeToLive(eventsTtlRaw);
  if (eventsTtlMs === undefined || eventsTtlMs <= 0) throw new ConfigError(`EVENTS_TTL must look like 30d, 72h or 90m, got '${env.EVENTS_TTL}'`);
  const host = (env.HOST ?? '0.0.0.0').trim();
  if (host === '') throw new ConfigError('HOST must not be empty');
  return {
    port: int(env, 'PORT', 8080, 0, 65535),
    host,
    databaseUrl,
    databasePoolSize: int(env, 'DATABASE_POOL_SIZE', 10, 1, 500),
    databaseConnectTimeoutMs: int(env, 'DATABASE_CONNECT_TIMEOUT_MS', 3000, 100, 600_000),
    migrationsRun: bool(env, 'MIGRATIONS_RUN', true),
    dataDir: path.resolve(env.BERTH_DATA_DIR && env.BERTH_DATA_DIR.trim() !== '' ? env.BERTH_DATA_DIR : '.berth'),
    embeddedPgPort: env.EMBEDDED_PG_PORT ? int(env, 'EMBEDDED_PG_PORT', 0, 1, 65535) : undefined,
    workerRoles: parseWorkerRoles(env.WORKER_ROLES, ['processor', 'reaper', 'webhooks']),
    logLevel,
    maxContainersPerProject: int(env, 'MAX_CONTAINERS_PER_PROJECT', 1000, 1, 1_000_000),
    defaultContainerTtlMs,
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 1_048_576, 1024, 1_073_741_824),
    tokenLifetimeSeconds: int(env, 'TOKEN_LIFETIME_SECONDS', 172_800, 60, 31_536_000),
    operationTtlHours: int(env, 'OPERATION_TTL_HOURS', 48, 1, 8760),
    processorBatchSize: int(env, 'PROCESSOR_BATCH_SIZE', 400, 1, 5000),
    processorConcurrency: int(env, 'PROCESSOR_CONCURRENCY', 4, 1, 64),
    processorPollMs: int(env, 'PROCESSOR_POLL_MS', 1000, 10, 60_000),
    processorLeaseSeconds: int(env, 'PROCESSOR_LEASE_SECONDS', 10, 1, 3600),
    reaperCron: parseCron(env, 'REAPER_CRON', '* * * * *'),
    reaperMaxSweepSeconds: int(env, 'REAPER_MAX_SWEEP_SECONDS', 50, 1, 86_400),
    workerHttpPort: env.WORKER_HTTP_PORT && env.WORKER_HTTP_PORT.trim() !== '' ? int(env, 'WORKER_HTTP_PORT', 0, 0, 65535) : undefined,
    devClientProject: (env.DEV_CLIENT_PROJECT ?? 'demo').trim(),
    authMaxFailuresPerClientAddress: int(env, 'AUTH_MAX_FAILURES_PER_CLIENT_ADDRESS', 10, 1, 1_000_000),
    authMaxFailuresPerAddress: int(env, 'AUTH_MAX_FAILURES_PER_ADDRESS', 100, 1, 1_000_000),
    authThrottleWindowSeconds: int(env, 'AUTH_THROTTLE_WINDOW_SECONDS', 60, 1, 86_400),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    webhookTimeoutMs: int(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
    webhookMaxAttemptsBeforeDisable: int(env, 'WEBHOOK_MAX_ATTEMPTS_BEFORE_DISABLE', 10, 1, 1000),
    webhookMaxBackoffMs: parseDuration(env, 'WEBHOOK_MAX_BACKOFF', '1h', 1000, 7 * 86_400_000),
    webhookUrlAllowlist: parseUrlAllowlist(env.WEBHOOK_URL_ALLOWLIST),
    webhookConcurrency: int(env, 'WEBHOOK_CONCURRENCY', 4, 1, 64),
    webhookPollMs: int(env, 'WEBHOOK_POLL_MS', 2000, 10, 60_000),
    webhookDeliveryLogDays: int(env, 'WEBHOOK_DELIVERY_LOG_DAYS', 30, 1, 3650),
    eventsTtlMs,
    eventsHeartbeatMs: int(env, 'EVENTS_HEARTBEAT_MS', 15_000, 50, 3_600_000),
    fileImportMaxBytes: int(env, 'FILE_IMPORT_MAX_BYTES', 2_147_483_648, 1024, 1_099_511_627_776),
    fileImportMaxInlineInputs: int(env, 'FILE_IMPORT_MAX_INLINE_INPUTS', 10_000, 1, 1_000_000),
    fileImportMaxErrors: int(env, 'FILE_IMPORT_MAX_ERRORS', 1000, 1, 100_000),
  };
}

export const BERTH_CONFIG = Symbol('BERTH_CONFIG');

/** For entry points: the validated config, or exit with a message naming the bad variable. */
export function loadConfigOrExit(env: Env = process.env): BerthConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Invalid configuration: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
