import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsDefined, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { MAX_PG_INTEGER } from '../../common/src/input-limits';
import { EVENT_TYPES } from '../../events/src';

export const SUBSCRIPTION_KEY_PATTERN = /^[A-Za-z0-9_-]+$/;
export const MAX_URL_LENGTH = 2048;

export class SubscriptionDraftDto {
  @ApiProperty({ pattern: '^[A-Za-z0-9_-]+$', minLength: 2, maxLength: 256 })
  @IsDefined()
  @IsString()
  @MinLength(2)
  @MaxLength(256)
  @Matches(SUBSCRIPTION_KEY_PATTERN)
  key!: string;

  @ApiProperty({ example: 'https://hooks.example.com/berth', description: 'http or https; must match WEBHOOK_URL_ALLOWLIST when it is set', maxLength: MAX_URL_LENGTH })
  @IsDefined()
  @IsString()
  @MaxLength(MAX_URL_LENGTH)
  url!: string;

  @ApiProperty({ type: [String], enum: EVENT_TYPES, description: 'The event types delivered (at least one)' })
  @IsDefined()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  events!: string[];

  @ApiPropertyOptional({ minLength: 16, maxLength: 256, description: 'The signing secret; generated when absent. Returned only in the creation response.' })
  @IsOptional()
  @IsString()
  @MinLength(16)
  @MaxLength(256)
  secret?: string;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class SubscriptionUpdateDraftDto {
  @ApiProperty({ type: 'integer', minimum: 1, description: 'The current version (409 ConcurrentModification otherwise)' })
  @IsDefined()
  @IsInt()
  @Min(1)
  @Max(MAX_PG_INTEGER)
  version!: number;

  @ApiProperty({ maxLength: MAX_URL_LENGTH })
  @IsDefined()
  @IsString()
  @MaxLength(MAX_URL_LENGTH)
  url!: string;

  @ApiProperty({ type: [String], enum: EVENT_TYPES })
  @IsDefined()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  events!: string[];

  @ApiPropertyOptional({ description: 'Absent: unchanged. Re-enabling resets the failure count and retries the queue at once.' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class SubscriptionView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() key!: string;
  @ApiProperty({ type: 'integer' }) version!: number;
  @ApiProperty() url!: string;
  @ApiProperty({ type: [String], enum: EVENT_TYPES }) events!: string[];
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ type: 'integer', description: 'Failed deliveries in a row (reset by a success or by re-enabling)' }) consecutiveFailures!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) lastModifiedAt!: string;
}

export class CreatedSubscriptionView extends SubscriptionView {
  @ApiProperty({ description: 'The signing secret: shown only in this response.' }) secret!: string;
}

export class SubscriptionPagedView {
  @ApiProperty({ type: 'integer' }) limit!: number;
  @ApiProperty({ type: 'integer' }) offset!: number;
  @ApiProperty({ type: 'integer' }) count!: number;
  @ApiProperty({ type: 'integer' }) total!: number;
  @ApiProperty({ type: [SubscriptionView] }) results!: SubscriptionView[];
}

export class DeliveryView {
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty({ enum: EVENT_TYPES }) eventType!: string;
  @ApiProperty({ type: 'integer' }) sequenceNumber!: number;
  @ApiProperty({ enum: ['pending', 'delivered'] }) state!: 'pending' | 'delivered';
  @ApiProperty({ type: 'integer' }) attempts!: number;
  @ApiPropertyOptional({ type: 'integer' }) lastStatusCode?: number;
  @ApiPropertyOptional() lastError?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'Pending deliveries: when the next attempt is due (the queue head is attempted first)' }) nextAttemptAt?: string;
  @ApiPropertyOptional({ format: 'date-time' }) lastAttemptAt?: string;
  @ApiPropertyOptional({ format: 'date-time' }) deliveredAt?: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class DeliveryPagedView {
  @ApiProperty({ type: 'integer' }) limit!: number;
  @ApiProperty({ type: 'integer' }) offset!: number;
  @ApiProperty({ type: 'integer' }) count!: number;
  @ApiProperty({ type: 'integer' }) total!: number;
  @ApiProperty({ type: [DeliveryView] }) results!: DeliveryView[];
}
