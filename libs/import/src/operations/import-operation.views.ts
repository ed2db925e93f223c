import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export const PROCESSING_STATES = ['processing', 'validationFailed', 'unresolved', 'waitForMasterVariant', 'imported', 'rejected', 'canceled', 'partiallyImported'] as const;
export type ProcessingState = (typeof PROCESSING_STATES)[number];

export class ImportOperationStatusView {
  @ApiProperty() operationId!: string;
  @ApiProperty({ enum: ['processing', 'validationFailed'] }) state!: 'processing' | 'validationFailed';
}

export class ImportResponseView {
  @ApiProperty({ type: [ImportOperationStatusView] }) operationStatus!: ImportOperationStatusView[];
}

export class ImportOperationView {
  @ApiProperty() version!: number;
  @ApiProperty() importContainerKey!: string;
  @ApiProperty() resourceKey!: string;
  @ApiProperty() id!: string;
  @ApiProperty({ enum: PROCESSING_STATES }) state!: ProcessingState;
  @ApiPropertyOptional() resourceVersion?: number;
  @ApiPropertyOptional({ type: 'array', items: { type: 'object' } }) errors?: unknown[];
  @ApiPropertyOptional({ type: 'array', items: { type: 'object' } }) unresolvedReferences?: unknown[];
  @ApiPropertyOptional({ type: 'array', items: { type: 'object' } }) warnings?: unknown[];
  @ApiProperty() createdAt!: string;
  @ApiProperty() lastModifiedAt!: string;
  @ApiProperty() expiresAt!: string;
}

export class ImportOperationPagedView {
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
  @ApiProperty() count!: number;
  @ApiProperty() total!: number;
  @ApiProperty({ type: [ImportOperationView] }) results!: ImportOperationView[];
}

export class OperationStatesView {
  @ApiProperty() processing!: number;
  @ApiProperty() validationFailed!: number;
  @ApiProperty() unresolved!: number;
  @ApiProperty() waitForMasterVariant!: number;
  @ApiProperty() imported!: number;
  @ApiProperty() rejected!: number;
  @ApiProperty() canceled!: number;
  @ApiProperty() partiallyImported!: number;
}

export class ImportSummaryView {
  @ApiProperty({ type: OperationStatesView }) states!: OperationStatesView;
  @ApiProperty() total!: number;
}
