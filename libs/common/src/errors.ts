import { HttpStatus } from '@nestjs/common';

/** One commercetools ErrorObject: `code`, `message` and code-specific fields. */
export interface ErrorObject {
  code: string;
  message: string;
  [field: string]: unknown;
}

/** commercetools ErrorResponse. OAuth errors add `error` and `error_description`. */
export interface ErrorResponse {
  statusCode: number;
  message: string;
  errors: ErrorObject[];
  error?: string;
  error_description?: string;
}

/** A domain failure carrying commercetools error objects; rendered by the one exception filter. */
export class CtException extends Error {
  constructor(
    readonly statusCode: number,
    readonly errors: ErrorObject[],
    message?: string,
    readonly extra: Partial<Pick<ErrorResponse, 'error' | 'error_description'>> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message ?? errors[0]?.message ?? 'Error');
  }

  toResponse(): ErrorResponse {
    return { statusCode: this.statusCode, message: this.message, errors: this.errors, ...this.extra };
  }
}

export const invalidField = (field: string, invalidValue: unknown, message?: string, extra: Record<string, unknown> = {}): ErrorObject => ({
  code: 'InvalidField',
  message: message ?? `The value ${JSON.stringify(invalidValue === undefined ? null : invalidValue)} is not valid for field '${field}'.`,
  field,
  invalidValue: invalidValue === undefined ? null : invalidValue,
  ...extra,
});

export class BadRequest extends CtException {
  constructor(errors: ErrorObject[], message?: string) {
    super(HttpStatus.BAD_REQUEST, errors, message);
  }
}

export class InvalidInput extends BadRequest {
  constructor(message: string) {
    super([{ code: 'InvalidInput', message }]);
  }
}

export class NotFound extends CtException {
  constructor(message: string) {
    super(HttpStatus.NOT_FOUND, [{ code: 'ResourceNotFound', message }]);
  }
}

export class ConcurrentModification extends CtException {
  constructor(specifiedVersion: number, currentVersion: number, conflictedResource?: unknown) {
    const message = `Object ${conflictedResource ?? ''} has a different version than expected. Expected: ${specifiedVersion} - Actual: ${currentVersion}.`.replace('Object  has', 'Object has');
    super(HttpStatus.CONFLICT, [
      { code: 'ConcurrentModification', message, specifiedVersion, currentVersion, ...(conflictedResource !== undefined ? { conflictedResource } : {}) },
    ]);
  }
}

export class DuplicateField extends BadRequest {
  constructor(field: string, duplicateValue: unknown, message?: string) {
    super([{ code: 'DuplicateField', message: message ?? `A duplicate value ${JSON.stringify(duplicateValue)} exists for field '${field}'.`, field, duplicateValue }]);
  }
}
