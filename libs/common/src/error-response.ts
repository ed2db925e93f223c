import { HttpException, HttpStatus } from '@nestjs/common';
import { DATABASE_RETRY_AFTER_SECONDS, isConnectionError } from '../../database/src/connection-errors';
import { CtException, ErrorResponse } from './errors';

const STATUS_MESSAGES: Record<number, string> = {
  400: 'The request was invalid.',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'The requested resource was not found.',
  405: 'Method not allowed.',
  409: 'A concurrent modification was detected.',
  413: 'The request body is too large.',
  415: 'Unsupported media type.',
  429: 'Too many requests.',
  500: 'An internal error occurred.',
  503: 'The service is unavailable.',
};

/** Errors raised by body parsers (body-parser / raw-body) carry `type` and `status`. */
interface ParserError {
  type?: string;
  status?: number;
  statusCode?: number;
  limit?: number;
}

/** Maps any thrown value to a commercetools ErrorResponse plus headers; never leaks stack traces. */
export function toErrorResponse(error: unknown): { body: ErrorResponse; headers: Record<string, string> } {
  if (error instanceof CtException) return { body: error.toResponse(), headers: error.headers };
  if (isConnectionError(error)) {
    // The database is unreachable (outage, restart, connection limit): nothing is wrong with the request.
    const message = 'The service is temporarily unavailable: the database cannot be reached. Please retry later.';
    return { body: { statusCode: 503, message, errors: [{ code: 'ServiceUnavailable', message }] }, headers: { 'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS) } };
  }
  const parser = error as ParserError;
  if (parser && typeof parser === 'object' && typeof parser.type === 'string') {
    if (parser.type === 'entity.parse.failed') {
      const message = 'Request body does not contain valid JSON.';
      return { body: { statusCode: 400, message, errors: [{ code: 'InvalidJsonInput', message, detailedErrorMessage: (error as Error).message }] }, headers: {} };
    }
    if (parser.type === 'entity.too.large') {
      const message = `The request body exceeds the limit of ${parser.limit ?? 'the configured'} bytes.`;
      return { body: { statusCode: 413, message, errors: [{ code: 'InvalidInput', message }] }, headers: {} };
    }
    if (parser.type === 'encoding.unsupported' || parser.type === 'charset.unsupported') {
      const message = 'Unsupported request body encoding.';
      return { body: { statusCode: 415, message, errors: [{ code: 'InvalidInput', message }] }, headers: {} };
    }
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    if (status === HttpStatus.NOT_FOUND) {
      const message = 'The requested resource was not found.';
      return { body: { statusCode: 404, message, errors: [{ code: 'ResourceNotFound', message }] }, headers: {} };
    }
    const message = status >= 500 ? STATUS_MESSAGES[500] : (STATUS_MESSAGES[status] ?? error.message);
    return { body: { statusCode: status, message, errors: [{ code: status >= 500 ? 'General' : 'InvalidInput', message }] }, headers: {} };
  }
  const status = parser?.status ?? parser?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const message = STATUS_MESSAGES[status] ?? 'The request was invalid.';
    return { body: { statusCode: status, message, errors: [{ code: 'InvalidInput', message }] }, headers: {} };
  }
  const message = STATUS_MESSAGES[500];
  return { body: { statusCode: 500, message, errors: [{ code: 'General', message }] }, headers: {} };
}
