import { Controller, Get, HttpException, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Public } from '../../../../libs/auth/src/scopes.decorator';
import { ApiErrorResponses } from '../../../../libs/common/src/openapi';
import { DATABASE_RETRY_AFTER_SECONDS } from '../../../../libs/database/src/connection-errors';

const PING_TIMEOUT_MS = 3000;
const NOT_READY = 'The service is not ready: the database cannot be reached.';

/**
 * `/health/live`: the process is up and serving (no database check; restart it only when this fails).
 * `/health/ready` and `/health`: the database answers; otherwise 503 with Retry-After and the reason, in
 * the terminus format (`error.database.message`) plus the ErrorResponse fields.
 */
@ApiTags('Operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly dataSource: DataSource,
  ) {}

  @Get()
  @Public()
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness (alias of /health/ready): the database answers' })
  @ApiErrorResponses(400, 503)
  check(@Res() res: Response): Promise<void> {
    return this.readiness(res);
  }

  @Get('ready')
  @Public()
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: the database answers (503 with Retry-After and the reason otherwise)' })
  @ApiErrorResponses(400, 503)
  ready(@Res() res: Response): Promise<void> {
    return this.readiness(res);
  }

  @Get('live')
  @Public()
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness: the process is up and serving (no database check)' })
  @ApiErrorResponses(400)
  live(): Promise<HealthCheckResult> {
    return this.health.check([() => ({ process: { status: 'up', uptimeSeconds: Math.round(process.uptime()) } })]);
  }

  private async readiness(res: Response): Promise<void> {
    try {
      res.status(200).json(await this.health.check([() => this.pingDatabase()]));
    } catch (error) {
      // terminus throws a 503 whose response is the check result (status 'error', error.database.message).
      const result = error instanceof HttpException ? (error.getResponse() as object) : { status: 'error', error: { database: { status: 'down' } } };
      res.setHeader('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
      res.status(503).json({ ...result, statusCode: 503, message: NOT_READY, errors: [{ code: 'ServiceUnavailable', message: NOT_READY }] });
    }
  }

  /** Like terminus' TypeOrmHealthIndicator.pingCheck, but says why the database is down (e.g. `connect ECONNREFUSED 127.0.0.1:5432`). */
  private async pingDatabase(): Promise<HealthIndicatorResult> {
    const check = this.indicators.check('database');
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.dataSource.query('SELECT 1'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timeout of ${PING_TIMEOUT_MS}ms exceeded`)), PING_TIMEOUT_MS);
        }),
      ]);
      return check.up();
    } catch (error) {
      const message = error instanceof Error ? error.message || error.name : String(error);
      return check.down({ message: message.replace(/(postgres(?:ql)?:\/\/[^:/@\s]*):[^@\s]*@/gi, '$1:***@') });
    } finally {
      clearTimeout(timer);
    }
  }
}
