import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ContainerStatusView } from '../containers/container-status.service';

export class ThroughputBucketView {
  @ApiProperty({ format: 'date-time', description: 'Start of the bucket (inclusive)' }) start!: string;
  @ApiProperty({ type: 'integer', description: 'Operations that became `imported` in the bucket' }) imported!: number;
  @ApiProperty({ type: 'integer', description: 'Operations that became `validationFailed` or `rejected` in the bucket' }) errors!: number;
  @ApiProperty({ type: 'integer', description: 'Operations that became `canceled` in the bucket' }) canceled!: number;
}

export class ThroughputView {
  @ApiProperty({ type: 'integer', description: 'Length of the window in seconds (a multiple of bucketSeconds)' }) windowSeconds!: number;
  @ApiProperty({ type: 'integer' }) bucketSeconds!: number;
  @ApiProperty({ format: 'date-time', description: 'Start of the first bucket' }) from!: string;
  @ApiProperty({ format: 'date-time', description: 'End of the last bucket (the current, partly elapsed one), by the database clock' }) to!: string;
  @ApiProperty({ type: [ThroughputBucketView], description: 'Oldest first, one per bucket, zeros included' }) buckets!: ThroughputBucketView[];
  @ApiProperty({ type: 'integer', description: 'Operations imported in the whole window' }) imported!: number;
  @ApiProperty({ type: 'integer' }) errors!: number;
  @ApiProperty({ type: 'integer' }) canceled!: number;
}

export class ContainerOverviewView {
  @ApiProperty() key!: string;
  @ApiPropertyOptional() resourceType?: string;
  @ApiProperty({ type: 'integer' }) version!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) lastModifiedAt!: string;
  @ApiPropertyOptional({ format: 'date-time' }) expiresAt?: string;
  @ApiProperty({ type: ContainerStatusView, description: 'As GET …/import-containers/{key}/status answers it' }) status!: ContainerStatusView;
}

export class ContainerOverviewPagedView {
  @ApiProperty({ type: 'integer' }) limit!: number;
  @ApiProperty({ type: 'integer' }) offset!: number;
  @ApiProperty({ type: 'integer' }) count!: number;
  @ApiProperty({ type: 'integer' }) total!: number;
  @ApiProperty({ type: [ContainerOverviewView] }) results!: ContainerOverviewView[];
}
