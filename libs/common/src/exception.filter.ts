import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { toErrorResponse } from './error-response';

/** The one place errors become HTTP responses, always in the commercetools ErrorResponse shape. */
@Catch()
export class CtExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { body, headers } = toErrorResponse(exception);
    if (body.statusCode >= 500) {
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    }
    if (response.headersSent) return;
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    try {
      response.status(body.statusCode).json(body);
    } catch {
      // An error object that cannot be serialised (e.g. a cyclic invalidValue): the codes and messages still can.
      response.status(body.statusCode).json({ ...body, errors: body.errors.map(({ code, message }) => ({ code, message })) });
    }
  }
}
