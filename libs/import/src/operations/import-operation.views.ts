import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export const PROCESSING_STATES = ['processing', 'validationFailed', 'unresolved', 'waitForMasterVariant', 'imported', 'rejected', 'canceled', 'partiallyImported'] as const;
export type ProcessingState = (typeof PROCESSING_STATES)[number];

export class ImportOperationStatusView {
  @ApiProperty({ format: 'uuid' }) operationId!: string;
  @ApiProperty({ enum: ['processing', 'validationFailed'] }) state!: 'processing' | 'validationFailed';
}

export class ImportResponseView {
  @ApiProperty({ type: [ImportOperationStatusView] }) operationStatus!: ImportOperationStatusView[];
}

export class ImportOperationView {
  @ApiProperty({ type: 'integer' }) version!: number;
  @ApiProperty() importContainerKey!: string;
  @ApiProperty() resourceKey!: string;
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: PROCESSING_STATES }) state!: ProcessingState;
  @ApiPropertyOptional({ type: 'integer' }) resourceVersion?: number;
  @ApiPropertyOptional({ type: 'array', items: { $ref: '#/components/schemas/ErrorObject' }, description: 'Why the operation is not imported' }) errors?: unknown[];
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object', required: ['typeId', 'key'], properties: { typeId: { type: 'string' }, key: { type: 'string' } } },
    description: 'References not (yet) resolvable (debug=true on the query)',
  })
  unresolvedReferences?: unknown[];
  @ApiPropertyOptional({ type: 'array', items: { type: 'object' } }) warnings?: unknown[];
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) lastModifiedAt!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
}

export class ImportOperationPagedView {
  @ApiProperty({ type: 'integer' }) limit!: number;
  @ApiProperty({ type: 'integer' }) offset!: number;
  @ApiProperty({ type: 'integer' }) count!: number;
  @ApiProperty({ type: 'integer' }) total!: number;
  @ApiProperty({ type: [ImportOperationView] }) results!: ImportOperationView[];
}

export class OperationStatesView {
  @ApiProperty({ type: 'integer' }) processing!: number;
  @ApiProperty({ type: 'integer' }) validationFailed!: number;
  @ApiProperty({ type: 'integer' }) unresolved!: number;
  @ApiProperty({ type: 'integer' }) waitForMasterVariant!: number;
  @ApiProperty({ type: 'integer' }) imported!: number;
  @ApiProperty({ type: 'integer' }) rejected!: number;
  @ApiProperty({ type: 'integer' }) canceled!: number;
  @ApiProperty({ type: 'integer' }) partiallyImported!: number;
}

export class ImportSummaryView {
  @ApiProperty({ type: OperationStatesView }) states!: OperationStatesView;
  @ApiProperty({ type: 'integer' }) total!: number;
}
