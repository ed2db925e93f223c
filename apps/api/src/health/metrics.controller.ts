import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Gauge } from 'prom-client';
import { Public } from '../../../../libs/auth/src';
import { ApiErrorResponses, metricsRegistry, sharedGauge } from '../../../../libs/common/src';
import { ContainerStatusService, ImportOperationsService } from '../../../../libs/import/src';

/** Prometheus scrape endpoint (public, like /health; it exposes counts, never data or credentials). */
@ApiTags('Operations')
@Controller('metrics')
export class MetricsController {
  private readonly operationsByState: Gauge<'state'>;
  private readonly processorLag: Gauge;
  private readonly operationsByContainerState = sharedGauge('berth_operations_by_container_state', 'Import operations by the state of their container (all projects)', ['container_state']);
  private readonly containersByState = sharedGauge('berth_import_containers', 'Import containers by state, as GET …/status reports it (all projects)', ['state']);
  private readonly pausedContainers = sharedGauge('berth_import_containers_paused', 'Paused import containers (all projects)');

  constructor(
    private readonly operations: ImportOperationsService,
    private readonly containerStatus: ContainerStatusService,
  ) {
    const existing = metricsRegistry.getSingleMetric('berth_operations') as Gauge<'state'> | undefined;
    this.operationsByState = existing ?? new Gauge({ name: 'berth_operations', help: 'Import operations by state (all projects)', labelNames: ['state'], registers: [metricsRegistry] });
    this.processorLag =
      (metricsRegistry.getSingleMetric('berth_processor_lag_seconds') as Gauge | undefined) ??
      new Gauge({ name: 'berth_processor_lag_seconds', help: 'Age of the oldest operation waiting to be processed', registers: [metricsRegistry] });
  }

  @Get()
  @Public()
  @Header('Content-Type', 'text/plain; version=0.0.4')
  @ApiOperation({ summary: 'Prometheus metrics (request latency, operations by state, processor throughput and lag, reaper deletions)' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format', schema: { type: 'string' } })
  @ApiErrorResponses(400, 503)
  async metrics(): Promise<string> {
    for (const [state, count] of Object.entries(await this.operations.totalsByState())) this.operationsByState.set({ state }, count);
    this.processorLag.set(await this.operations.processingLagSeconds());
    const totals = await this.containerStatus.totals();
    for (const [state, count] of Object.entries(totals.operations)) this.operationsByContainerState.set({ container_state: state }, count);
    for (const [state, count] of Object.entries(totals.containers)) this.containersByState.set({ state }, count);
    this.pausedContainers.set(totals.containers.paused);
    return metricsRegistry.metrics();
  }
}
