import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../../../../libs/auth/src/scopes.decorator';
import { ApiBerthAuth, ApiErrorResponses, ApiPagingQuery, GUARDED_ERRORS } from '../../../../libs/common/src';
import { SORTABLE_CONTAINER_FIELDS } from '../../../../libs/import/src';
import { ContainerOverviewPagedView, ImportStatsService, THROUGHPUT_LIMITS, ThroughputView } from '../../../../libs/import/src/stats';

const SCOPES = 'Scope: manage_import_containers or view_import_containers.';

/** Read models for operators (the dashboard at /dashboard): Berth only, beyond commercetools (SPEC section 8). */
@ApiTags('Import Stats')
@ApiBerthAuth()
@Controller(':projectKey/import-stats')
export class ImportStatsController {
  constructor(private readonly stats: ImportStatsService) {}

  @Get('throughput')
  @RequireScopes('manage_import_containers', 'view_import_containers')
  @ApiOperation({
    summary: 'Operations of the project that reached a final state, per time bucket',
    description: `Counts by the time the operation was settled (imported, errors = validationFailed + rejected, canceled), oldest bucket first, zeros included; the last bucket is the current one. ${SCOPES}`,
  })
  @ApiQuery({
    name: 'window',
    required: false,
    description: `Seconds back from now (default ${THROUGHPUT_LIMITS.defaultWindowSeconds}); rounded up to whole buckets`,
    schema: { type: 'integer', minimum: THROUGHPUT_LIMITS.minWindowSeconds, maximum: THROUGHPUT_LIMITS.maxWindowSeconds },
  })
  @ApiQuery({
    name: 'bucket',
    required: false,
    description: `Bucket size in seconds (default: window / 60, at least 1); at most ${THROUGHPUT_LIMITS.maxBuckets} buckets`,
    schema: { type: 'integer', minimum: 1, maximum: THROUGHPUT_LIMITS.maxBucketSeconds },
  })
  @ApiOkResponse({ type: ThroughputView })
  @ApiErrorResponses(...GUARDED_ERRORS)
  throughput(@Param('projectKey') projectKey: string, @Query() query: Record<string, unknown>): Promise<ThroughputView> {
    return this.stats.throughput(projectKey, query);
  }

  @Get('containers')
  @RequireScopes('manage_import_containers', 'view_import_containers')
  @ApiOperation({
    summary: 'Import containers with their processing status (paged, filter by key prefix)',
    description: `As GET /{projectKey}/import-containers (same paging and sort fields), each result with its \`status\` as GET …/import-containers/{key}/status answers it. ${SCOPES}`,
  })
  @ApiPagingQuery(Object.keys(SORTABLE_CONTAINER_FIELDS))
  @ApiQuery({ name: 'keyPrefix', required: false, description: 'Only containers whose key starts with this (case-sensitive)', schema: { type: 'string', pattern: '^[a-zA-Z0-9_-]*$', maxLength: 256 } })
  @ApiOkResponse({ type: ContainerOverviewPagedView })
  @ApiErrorResponses(...GUARDED_ERRORS)
  containers(@Param('projectKey') projectKey: string, @Query() query: Record<string, unknown>): Promise<ContainerOverviewPagedView> {
    return this.stats.containers(projectKey, query);
  }
}
