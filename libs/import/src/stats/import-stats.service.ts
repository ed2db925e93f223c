import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InvalidInput, PagedResponse, pagedResponse, parsePageQuery } from '../../../common/src';
import { ContainerStatusRow, toStatusView } from '../containers/container-status.service';
import { ImportContainerRow, SORTABLE_CONTAINER_FIELDS, toContainerView } from '../containers/import-containers.service';
import { ContainerOverviewView, ThroughputView } from './import-stats.views';
import { settledPerBucket } from '../../../queue/src';

/** Bounds of the throughput window: at most an hour, at most this many buckets (one aggregate over a bounded range). */
export const THROUGHPUT_LIMITS = { defaultWindowSeconds: 300, minWindowSeconds: 10, maxWindowSeconds: 3600, maxBucketSeconds: 300, maxBuckets: 600 } as const;

/** Key prefixes follow the container key pattern (so they never carry LIKE wildcards or odd text into SQL). */
const KEY_PREFIX_PATTERN = /^[a-zA-Z0-9_-]{1,256}$/;

function singleQueryValue(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new InvalidInput(`Query parameter '${name}' must be given once.`);
  return value;
}

function boundedSeconds(query: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
  const raw = singleQueryValue(query, name);
  if (raw === undefined) return undefined;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new InvalidInput(`The value '${raw.slice(0, 50)}' is not valid for query parameter '${name}': expected an integer between ${min} and ${max}.`);
  }
  return Number(raw);
}

/** The window (rounded up to whole buckets) and the bucket size of a throughput query; the default bucket gives about 60 buckets. */
export function parseThroughputQuery(query: Record<string, unknown>): { windowSeconds: number; bucketSeconds: number } {
  const { defaultWindowSeconds, minWindowSeconds, maxWindowSeconds, maxBucketSeconds, maxBuckets } = THROUGHPUT_LIMITS;
  const window = boundedSeconds(query, 'window', minWindowSeconds, maxWindowSeconds) ?? defaultWindowSeconds;
  const bucket = boundedSeconds(query, 'bucket', 1, maxBucketSeconds) ?? Math.max(1, Math.ceil(window / 60));
  if (bucket > window) throw new InvalidInput(`The value '${bucket}' is not valid for query parameter 'bucket': it must not exceed the window (${window} s).`);
  const buckets = Math.ceil(window / bucket);
  if (buckets > maxBuckets) throw new InvalidInput(`A window of ${window} s in buckets of ${bucket} s gives ${buckets} buckets; at most ${maxBuckets} are allowed: choose a larger bucket.`);
  return { windowSeconds: buckets * bucket, bucketSeconds: bucket };
}

type OverviewRow = ImportContainerRow & ContainerStatusRow;

/**
 * Read models of the operators' dashboard (SPEC section 8): project throughput and the container list with each
 * container's status, each answered by one statement.
 */
@Injectable()
export class ImportStatsService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Operations of the project that reached a final state, per bucket, over the last `windowSeconds` (by the
   * database clock). One aggregate over `last_modified_at` — the time the processor (or a cancel) settled the
   * operation; a final operation is never modified again — bounded by the window and served by the BRIN index of
   * the ThroughputIndex migration (recently settled rows sit in the most recently written heap pages).
   */
  async throughput(projectKey: string, query: Record<string, unknown>): Promise<ThroughputView> {
    const { windowSeconds, bucketSeconds } = parseThroughputQuery(query);
    const rows = await settledPerBucket(this.dataSource, projectKey, bucketSeconds, windowSeconds);
    const upto = Number(rows[0].upto);
    const from = upto - windowSeconds;
    const count = windowSeconds / bucketSeconds;
    const buckets = Array.from({ length: count }, (_, i) => ({ start: new Date((from + i * bucketSeconds) * 1000).toISOString(), imported: 0, errors: 0, canceled: 0 }));
    for (const row of rows) {
      if (row.bucket === null) continue;
      const index = Math.round((Number(row.bucket) - from) / bucketSeconds);
      if (index < 0 || index >= count) continue;
      buckets[index] = { ...buckets[index], imported: Number(row.imported), errors: Number(row.errors), canceled: Number(row.canceled) };
    }
    const sum = (field: 'imported' | 'errors' | 'canceled') => buckets.reduce((total, bucket) => total + bucket[field], 0);
    return {
      windowSeconds,
      bucketSeconds,
      from: new Date(from * 1000).toISOString(),
      to: new Date(upto * 1000).toISOString(),
      buckets,
      imported: sum('imported'),
      errors: sum('errors'),
      canceled: sum('canceled'),
    };
  }

  /**
   * The project's containers (paged and sorted as `GET …/import-containers`, optionally only keys starting with
   * `keyPrefix`), each with its status from the sharded counters: one statement, O(page) counter rows, whatever
   * the size of the containers.
   */
  async containers(projectKey: string, query: Record<string, unknown>): Promise<PagedResponse<ContainerOverviewView>> {
    const page = parsePageQuery(query, SORTABLE_CONTAINER_FIELDS, ['created_at ASC'], 'id ASC');
    const keyPrefix = singleQueryValue(query, 'keyPrefix');
    if (keyPrefix !== undefined && keyPrefix !== '' && !KEY_PREFIX_PATTERN.test(keyPrefix)) {
      throw new InvalidInput(`The value '${keyPrefix.slice(0, 50)}' is not valid for query parameter 'keyPrefix': expected the start of a container key (^[a-zA-Z0-9_-]+$).`);
    }
    const prefix = keyPrefix ? keyPrefix : null;
    // Project-scoped and bounded by MAX_CONTAINERS_PER_PROJECT: the prefix filter scans the project's containers.
    const rows = (await this.dataSource.query(
      `WITH matching AS (
              SELECT id, key, resource_type, version, retention_policy, expires_at, created_at, last_modified_at,
                     processing_state, paused_at, canceled_at, cancel_completed_at
                FROM import_containers
               WHERE project_key = $1 AND ($2::text IS NULL OR starts_with(key, $2::text))),
            page AS (SELECT * FROM matching ORDER BY ${page.orderBy.join(', ')} LIMIT $3 OFFSET $4)
       SELECT (SELECT count(*)::int FROM matching) AS total, p.*, a.started_at, a.last_processed_at,
              COALESCE((SELECT jsonb_object_agg(x.state, x.n)
                          FROM (SELECT s.state, sum(s.count) AS n FROM import_summary_counts s
                                 WHERE s.project_key = $1 AND s.container_id = p.id GROUP BY s.state) x), '{}'::jsonb) AS counts
         FROM (SELECT 1) one
         LEFT JOIN page p ON true
         LEFT JOIN import_container_activity a ON a.project_key = $1 AND a.container_id = p.id
        ORDER BY ${page.orderBy.map((part) => `p.${part}`).join(', ')}`,
      [projectKey, prefix, page.limit, page.offset],
    )) as Array<OverviewRow & { total: number }>;
    const total = rows[0]?.total ?? 0;
    const results = rows
      .filter((row) => row.id !== null)
      .map((row) => ({ ...toContainerView(row), status: toStatusView({ ...row, project_key: projectKey }) }));
    return pagedResponse(page, total, results);
  }
}
