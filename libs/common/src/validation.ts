import { ValidationError, ValidationPipe } from '@nestjs/common';
import { BadRequest, ErrorObject, invalidField } from './errors';

function flatten(errors: ValidationError[], prefix: string, out: ErrorObject[]): void {
  for (const error of errors) {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    if (error.constraints && Object.keys(error.constraints).length > 0) {
      const detail = Object.values(error.constraints)[0];
      const value = error.value === undefined ? null : error.value;
      out.push(invalidField(field, value, value === null ? `Missing required field '${field}'.` : `The value ${JSON.stringify(value)} is not valid for field '${field}': ${detail}.`));
    }
    if (error.children && error.children.length > 0) flatten(error.children, field, out);
  }
}

export function validationErrorsToException(errors: ValidationError[]): BadRequest {
  const out: ErrorObject[] = [];
  flatten(errors, '', out);
  return new BadRequest(out, out[0]?.message ?? 'The request was invalid.');
}

/** The one global ValidationPipe: unknown properties are dropped, errors become commercetools InvalidField objects. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidUnknownValues: true,
    stopAtFirstError: true,
    validationError: { target: false, value: true },
    exceptionFactory: validationErrorsToException,
  });
}
