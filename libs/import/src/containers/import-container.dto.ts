import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { Equals, IsDefined, IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, MinLength, Min, ValidateNested } from 'class-validator';
import { MAX_PG_INTEGER } from '../../../common/src/input-limits';
import { RESOURCE_TYPE_NAMES } from '../resource-types';

export const CONTAINER_KEY_PATTERN = /^[a-zA-Z0-9_-]+$/;
export const TTL_PATTERN = /^(\d+)(d|h|m)$/;

export class TimeToLiveConfigDto {
  @ApiProperty({ example: '72h', description: 'Between 1h and 30d; pattern ^(\\d+)(d|h|m)$' })
  @IsDefined()
  @IsString()
  @Matches(TTL_PATTERN)
  timeToLive!: string;
}

export class RetentionPolicyDto {
  @ApiProperty({ enum: ['ttl'] })
  @IsDefined()
  @Equals('ttl')
  strategy!: 'ttl';

  @ApiProperty({ type: TimeToLiveConfigDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => TimeToLiveConfigDto)
  config!: TimeToLiveConfigDto;
}

export class ImportContainerDraftDto {
  @ApiProperty({ pattern: '^[a-zA-Z0-9_-]+$', minLength: 1, maxLength: 256 })
  @IsDefined()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  @Matches(CONTAINER_KEY_PATTERN)
  key!: string;

  @ApiPropertyOptional({ enum: RESOURCE_TYPE_NAMES })
  @IsOptional()
  @IsIn(RESOURCE_TYPE_NAMES)
  resourceType?: string;

  @ApiPropertyOptional({ type: RetentionPolicyDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => RetentionPolicyDto)
  retentionPolicy?: RetentionPolicyDto;
}

export class ImportContainerUpdateDraftDto {
  @ApiProperty({ type: 'integer', minimum: 1, description: 'The current version (409 ConcurrentModification otherwise)' })
  @IsDefined()
  @IsInt()
  @Min(1)
  @Max(MAX_PG_INTEGER)
  version!: number;

  @ApiPropertyOptional({ enum: RESOURCE_TYPE_NAMES })
  @IsOptional()
  @IsIn(RESOURCE_TYPE_NAMES)
  resourceType?: string;
}

export class ImportContainerView {
  @ApiProperty() key!: string;
  @ApiPropertyOptional({ enum: RESOURCE_TYPE_NAMES }) resourceType?: string;
  @ApiProperty({ type: 'integer' }) version!: number;
  @ApiPropertyOptional({ type: RetentionPolicyDto }) retentionPolicy?: RetentionPolicyDto;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) lastModifiedAt!: string;
  @ApiPropertyOptional({ format: 'date-time' }) expiresAt?: string;
}

export class ImportContainerPagedView {
  @ApiProperty({ type: 'integer' }) limit!: number;
  @ApiProperty({ type: 'integer' }) offset!: number;
  @ApiProperty({ type: 'integer' }) count!: number;
  @ApiProperty({ type: 'integer' }) total!: number;
  @ApiProperty({ type: [ImportContainerView] }) results!: ImportContainerView[];
}
