import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of this process (one registry, shared by the API and the background roles). */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'berth_' });

export const httpRequestDuration = new Histogram({
  name: 'berth_http_request_duration_seconds',
  help: 'HTTP request latency',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

export const operationsProcessed = new Counter({
  name: 'berth_operations_processed_total',
  help: 'Import operations settled by the processor, by resulting state',
  labelNames: ['state'],
  registers: [metricsRegistry],
});

export const reaperDeleted = new Counter({
  name: 'berth_reaper_deleted_total',
  help: 'Rows deleted by the reaper',
  labelNames: ['kind'],
  registers: [metricsRegistry],
});

/** A gauge of the shared registry, created once (the scrape controller may be instantiated per app in tests). */
export function sharedGauge<L extends string>(name: string, help: string, labelNames: L[] = []): Gauge<L> {
  return (metricsRegistry.getSingleMetric(name) as Gauge<L> | undefined) ?? new Gauge<L>({ name, help, labelNames, registers: [metricsRegistry] });
}
