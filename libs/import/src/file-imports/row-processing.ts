/**
 * From file records to import resources: mapping (or the record as it stands), conversion by the official schema,
 * for product-draft the grouping of consecutive rows of one key into one product with its variants, and the
 * request-time validation of the Import API per resource — with errors reported by 1-based row number and field.
 */
import { requestListProperty, resourceKeyOf, validateImportRequest, ImportResourceType } from '../validation/import-request.validator';
import { isUnreadable, SourceRecord } from './record-sources';
import { compactArrays, convertResource, MappingEntry, parseTargetPath, PathSegment, setPath, VARIANT_PREFIX } from './target-paths';

export interface RowError {
  row: number;
  key?: string;
  field?: string;
  code: string;
  message: string;
}

export interface StagedRow {
  row: number;
  record: SourceRecord;
}

/** One resource ready to be stored as an operation, and the file rows it came from. */
export interface ValidItem {
  resource: Record<string, unknown>;
  key: string;
  rows: number;
}

export interface GroupOutcome {
  item?: ValidItem;
  errors: RowError[];
  /** Rows of the group: accepted when `item` is set, else invalid. */
  rows: number;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function extractValue(record: Record<string, unknown>, path: string): unknown {
  if (Object.prototype.hasOwnProperty.call(record, path)) return record[path];
  let current: unknown = record;
  for (const part of path.split('.')) {
    if (Array.isArray(current) && /^\d+$/.test(part)) current = current[Number(part)];
    else if (isPlainObject(current) && Object.prototype.hasOwnProperty.call(current, part)) current = current[part];
    else return undefined;
  }
  return current;
}

const absent = (value: unknown) => value === undefined || value === null || value === '';

/** Turns one record into a (not yet validated) resource of the type. */
export class RecordMapper {
  private readonly targets: Array<{ extract: string; segments: PathSegment[] }> | undefined;
  private readonly columnPaths = new Map<string, PathSegment[] | undefined>();

  constructor(
    private readonly resourceType: ImportResourceType,
    private readonly format: string,
    mapping: MappingEntry[] | undefined,
  ) {
    this.targets = mapping?.map((entry) => ({ extract: entry.extract, segments: parseTargetPath(entry.generate) ?? [entry.generate] }));
  }

  toResource(record: Record<string, unknown>): Record<string, unknown> {
    let resource: Record<string, unknown>;
    if (this.targets) {
      resource = {};
      for (const target of this.targets) {
        const value = extractValue(record, target.extract);
        if (!absent(value)) setPath(resource, target.segments, value);
      }
    } else if (this.format === 'csv') {
      // Without a mapping, CSV columns are target paths as they stand (`name.en`).
      resource = {};
      for (const [column, value] of Object.entries(record)) {
        if (absent(value)) continue;
        if (!this.columnPaths.has(column)) this.columnPaths.set(column, parseTargetPath(column));
        setPath(resource, this.columnPaths.get(column) ?? [column], value);
      }
    } else {
      resource = record;
    }
    return convertResource(this.resourceType, compactArrays(resource) as Record<string, unknown>);
  }
}

/** Rows of one product (product-draft) or one row (the other types). */
export interface RowGroup {
  key: string | undefined;
  rows: Array<{ row: number; resource?: Record<string, unknown>; unreadable?: string }>;
}

/** Splits a stream of rows into groups: consecutive product-draft rows sharing a `key`; one row each otherwise. */
export class RowGrouper {
  private current: RowGroup | undefined;

  constructor(
    private readonly resourceType: ImportResourceType,
    private readonly mapper: RecordMapper,
  ) {}

  /** Adds a row; returns the group it completes, if any. */
  push(staged: StagedRow): RowGroup | undefined {
    let entry: RowGroup['rows'][number];
    if (isUnreadable(staged.record)) entry = { row: staged.row, unreadable: staged.record.unreadable };
    else entry = { row: staged.row, resource: this.mapper.toResource(staged.record) };
    const key = typeof entry.resource?.key === 'string' ? entry.resource.key : undefined;
    if (this.resourceType === 'product-draft' && key !== undefined && this.current?.key === key) {
      this.current.rows.push(entry);
      return undefined;
    }
    const done = this.current;
    this.current = { key: this.resourceType === 'product-draft' ? key : undefined, rows: [entry] };
    return done;
  }

  /** The last group, at the end of the file. */
  end(): RowGroup | undefined {
    const done = this.current;
    this.current = undefined;
    return done;
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Builds the product of a product-draft group: the first row's variant is the master variant, later rows' variants follow. */
function assembleProduct(group: RowGroup): { resource: Record<string, unknown>; errors: RowError[]; variantRows: number[] } {
  const errors: RowError[] = [];
  const [first, ...later] = group.rows;
  const { [VARIANT_PREFIX]: masterVariant, ...product } = first.resource as Record<string, unknown>;
  const variantRows: number[] = [];
  if (masterVariant !== undefined) {
    if (product.masterVariant !== undefined) errors.push({ row: first.row, key: group.key, field: 'masterVariant', code: 'InvalidField', message: `The row sets both 'variant' and 'masterVariant'.` });
    product.masterVariant = masterVariant;
  }
  const variants: unknown[] = Array.isArray(product.variants) ? [...(product.variants as unknown[])] : [];
  for (const entry of later) {
    const { [VARIANT_PREFIX]: variant, ...fields } = entry.resource as Record<string, unknown>;
    for (const [name, value] of Object.entries(fields)) {
      if (name === 'key') continue;
      if (product[name] === undefined || !sameValue(product[name], value)) {
        errors.push({
          row: entry.row,
          key: group.key,
          field: name,
          code: 'InvalidField',
          message: `The product-level field '${name}' differs from the first row (row ${first.row}) of product '${group.key}': later rows of a product may leave it empty or repeat it.`,
        });
      }
    }
    if (variant !== undefined) {
      variants.push(variant);
      variantRows.push(entry.row);
    }
  }
  if (variants.length > 0) product.variants = variants;
  return { resource: product, errors, variantRows };
}

/** The row an error of an assembled product belongs to: its variant's row, else the product's first row. */
function rowOfField(group: RowGroup, field: string, variantRows: number[]): number {
  const variant = /^variants\.(\d+)(?:\.|$)/.exec(field);
  if (variant && variantRows[Number(variant[1])] !== undefined) return variantRows[Number(variant[1])];
  return group.rows[0].row;
}

/** Validates a group as the Import API validates an import request of one resource. */
export function validateGroup(resourceType: ImportResourceType, group: RowGroup): GroupOutcome {
  const rows = group.rows.length;
  const unreadable = group.rows.filter((entry) => entry.unreadable !== undefined);
  if (unreadable.length > 0) {
    return { rows, errors: unreadable.map((entry) => ({ row: entry.row, code: 'InvalidInput', message: entry.unreadable as string })) };
  }
  let resource: Record<string, unknown>;
  let errors: RowError[] = [];
  let variantRows: number[] = [];
  if (resourceType === 'product-draft') {
    ({ resource, errors, variantRows } = assembleProduct(group));
  } else {
    resource = group.rows[0].resource as Record<string, unknown>;
  }
  const list = requestListProperty(resourceType);
  const problems = validateImportRequest(resourceType, { type: resourceType, [list]: [resource] });
  const prefix = `${list}.0.`;
  const key = typeof resource.key === 'string' ? resource.key : typeof resource.orderNumber === 'string' ? resource.orderNumber : undefined;
  for (const problem of problems) {
    const field = problem.field.startsWith(prefix) ? problem.field.slice(prefix.length) : problem.field === `${list}.0` ? '' : problem.field;
    const message = problem.message.split(prefix).join('');
    errors.push({ row: rowOfField(group, field, variantRows), ...(key ? { key } : {}), ...(field ? { field } : {}), code: problem.code, message });
  }
  if (errors.length === 0) return { rows, errors, item: { resource, key: resourceKeyOf(resourceType, resource), rows } };
  // An invalid row makes its whole product invalid: every row of it is reported.
  const reported = new Set(errors.map((error) => error.row));
  for (const entry of group.rows) {
    if (!reported.has(entry.row)) {
      errors.push({ row: entry.row, ...(key ? { key } : {}), code: 'InvalidInput', message: `The row belongs to product '${key}', which is invalid (see row ${[...reported][0]}).` });
    }
  }
  errors.sort((a, b) => a.row - b.row);
  return { rows, errors };
}
