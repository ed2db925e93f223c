import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { Public } from '../../../../libs/auth/src';
import { metricsRegistry } from '../../../../libs/common/src';

/** Prometheus scrape endpoint (public, like /health; it exposes counts, never data or credentials). */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  private readonly operationsByState: Gauge<'state'>;
  private readonly processorLag: Gauge;

  constructor(private readonly dataSource: DataSource) {
    const existing = metricsRegistry.getSingleMetric('berth_operations') as Gauge<'state'> | undefined;
    this.operationsByState = existing ?? new Gauge({ name: 'berth_operations', help: 'Import operations by state (all projects)', labelNames: ['state'], registers: [metricsRegistry] });
    this.processorLag =
      (metricsRegistry.getSingleMetric('berth_processor_lag_seconds') as Gauge | undefined) ??
      new Gauge({ name: 'berth_processor_lag_seconds', help: 'Age of the oldest operation waiting to be processed', registers: [metricsRegistry] });
  }

  @Get()
  @Public()
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async metrics(): Promise<string> {
    const states = (await this.dataSource.query(`SELECT state, sum(count)::bigint AS count FROM import_summary_counts GROUP BY state`)) as Array<{ state: string; count: string }>;
    for (const row of states) this.operationsByState.set({ state: row.state }, Number(row.count));
    const [lag] = (await this.dataSource.query(`SELECT COALESCE(EXTRACT(EPOCH FROM now() - min(run_at)), 0)::float AS seconds FROM import_operations WHERE state = 'processing'`)) as Array<{ seconds: number }>;
    this.processorLag.set(Math.max(0, lag.seconds));
    return metricsRegistry.metrics();
  }
}
