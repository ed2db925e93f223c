import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { RESOURCE_TYPE_NAMES } from '../../import/src/resource-types';
import { PROFILE_ENCODINGS, PROFILE_ERROR_POLICIES, PROFILE_FORMATS } from './profile-document';

/** OpenAPI shapes of import profiles. Bodies are validated by `parseProfileDocument`, not by these classes. */
export class ProfileSettingsView {
  @ApiPropertyOptional({ description: 'CSV column delimiter, one character (default ",")', example: ';' }) delimiter?: string;
  @ApiPropertyOptional({ description: 'CSV quote character, one character (default \'"\')' }) quote?: string;
  @ApiPropertyOptional({ description: 'The first CSV row names the columns (default true)' }) header?: boolean;
  @ApiPropertyOptional({ enum: PROFILE_ENCODINGS }) encoding?: string;
  @ApiPropertyOptional({ enum: PROFILE_ERROR_POLICIES }) errorPolicy?: string;
  @ApiPropertyOptional({ description: 'Delete resources earlier file imports created that the file no longer contains' }) cleanup?: boolean;
  @ApiPropertyOptional({ description: 'Validate only; the job waits for a confirm' }) dryRun?: boolean;
}

export class MappingEntryView {
  @ApiProperty({ description: 'A CSV column name (or 1-based position without header), or a dot path into a JSON/XML record', example: 'Title' }) extract!: string;
  @ApiProperty({ description: 'A target path in the resource per the official schema', example: 'name.en' }) generate!: string;
}

const DOCUMENT_PROPERTIES = {
  key: { pattern: '^[A-Za-z0-9_-]+$', minLength: 2, maxLength: 256 },
  resourceType: { enum: RESOURCE_TYPE_NAMES },
  format: { enum: PROFILE_FORMATS },
};

export class ImportProfileDraftView {
  @ApiProperty(DOCUMENT_PROPERTIES.key) key!: string;
  @ApiPropertyOptional({ maxLength: 256 }) name?: string;
  @ApiProperty(DOCUMENT_PROPERTIES.resourceType) resourceType!: string;
  @ApiPropertyOptional(DOCUMENT_PROPERTIES.format) format?: string;
  @ApiPropertyOptional({ type: ProfileSettingsView }) settings?: ProfileSettingsView;
  @ApiPropertyOptional({ type: [MappingEntryView] }) mapping?: MappingEntryView[];
  @ApiPropertyOptional({ maxLength: 256 }) reference?: string;
  @ApiPropertyOptional({ maxLength: 256 }) referenceOrigin?: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Any JSON object (16 KB at most)' }) metadata?: Record<string, unknown>;
}

export class ImportProfileReplaceView extends ImportProfileDraftView {
  @ApiProperty({ type: 'integer', minimum: 1, description: 'The current version (409 ConcurrentModification otherwise)' }) version!: number;
}

export class ImportProfileView extends ImportProfileDraftView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: 'integer' }) version!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) lastModifiedAt!: string;
}

export class ImportProfilePagedView {
  @ApiProperty({ type: 'integer' }) limit!: number;
  @ApiProperty({ type: 'integer' }) offset!: number;
  @ApiProperty({ type: 'integer' }) count!: number;
  @ApiProperty({ type: 'integer' }) total!: number;
  @ApiProperty({ type: [ImportProfileView] }) results!: ImportProfileView[];
}

export class ProfileDependencyView {
  @ApiProperty({ enum: ['import-container', 'file-import'] }) typeId!: 'import-container' | 'file-import';
  @ApiPropertyOptional({ description: 'import-container: its key' }) key?: string;
  @ApiPropertyOptional({ description: 'file-import: its id' }) id?: string;
}

export class ProfileDependenciesView {
  @ApiProperty({ type: [ProfileDependencyView] }) results!: ProfileDependencyView[];
}

export class ProfileCloneDraftView {
  @ApiProperty(DOCUMENT_PROPERTIES.key) key!: string;
}

export class ProfileAuditEventView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: 'integer' }) sequenceNumber!: number;
  @ApiProperty() projectKey!: string;
  @ApiProperty() type!: string;
  @ApiProperty({ type: 'object', properties: { typeId: { type: 'string' }, key: { type: 'string' }, id: { type: 'string' } } }) resource!: { typeId: string; key?: string; id?: string };
  @ApiPropertyOptional({ description: 'The API client that made the change' }) actor?: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) data!: Record<string, unknown>;
}

export class ProfileAuditPagedView {
  @ApiProperty({ type: 'integer' }) limit!: number;
  @ApiProperty({ type: 'integer' }) offset!: number;
  @ApiProperty({ type: 'integer' }) count!: number;
  @ApiProperty({ type: 'integer' }) total!: number;
  @ApiProperty({ type: [ProfileAuditEventView] }) results!: ProfileAuditEventView[];
}
