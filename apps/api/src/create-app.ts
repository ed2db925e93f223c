import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express, { NextFunction, Request, Response } from 'express';
import { DataSource } from 'typeorm';
import { BerthConfig } from '../../../libs/config/src';
import {
  addComponentSchemas,
  applyHttpServerLimits,
  checkInput,
  checkRequestTarget,
  CtException,
  ERROR_SCHEMAS,
  httpRequestDuration,
  INPUT_LIMITS,
  InvalidInput,
  jsonSchemaDefinitionsToComponents,
  toErrorResponse,
  verifyJsonBody,
} from '../../../libs/common/src';
import importApiSchemas from '../../../libs/import/src/validation/import-api.schemas.json';
import { AppModule } from './app.module';

function sendError(res: Response, error: unknown): void {
  const { body, headers } = toErrorResponse(error);
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.status(body.statusCode).json(body);
}

/** 414 for a request target over the URL limit, 431 for header lines over the header limit (see INPUT_LIMITS). */
function checkRequestSize(req: Request): CtException | undefined {
  if (req.originalUrl.length > INPUT_LIMITS.maxUrlLength) {
    const message = `The request URL exceeds the limit of ${INPUT_LIMITS.maxUrlLength} characters.`;
    return new CtException(414, [{ code: 'InvalidInput', message }], message);
  }
  let headerBytes = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) headerBytes += req.rawHeaders[i].length + req.rawHeaders[i + 1].length + 4;
  if (headerBytes > INPUT_LIMITS.maxHeaderBytes) {
    const message = `The request headers exceed the limit of ${INPUT_LIMITS.maxHeaderBytes} bytes.`;
    return new CtException(431, [{ code: 'InvalidInput', message }], message);
  }
  return undefined;
}

/** Media types the JSON body parser reads (as commercetools: `application/json`, and `application/*+json`). */
const JSON_TYPES = ['application/json', 'application/*+json'];
/** Routes whose body is not JSON: the token endpoint takes a form body (RFC 6749). */
const FORM_ROUTES = new Set(['/oauth/token']);
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
/**
 * File uploads (`POST …/import-containers/{key}/file-imports`, and the same body to `POST …/import-profiles/{key}/invoke`)
 * are streamed by their service: no body parser reads them.
 */
const FILE_UPLOAD_ROUTE = /^\/[^/]+\/(?:import-containers\/[^/]+\/file-imports|import-profiles\/[^/]+\/invoke)\/?$/;
const isFileUpload = (req: Request) => req.method === 'POST' && FILE_UPLOAD_ROUTE.test(req.path);

/**
 * 415 for a body that is not declared JSON on a route that reads JSON (every POST/PUT/PATCH route but the token
 * endpoint): curl's default `application/x-www-form-urlencoded`, `text/plain` or no Content-Type at all would
 * otherwise be left unparsed and answered as if the fields were missing. Requests without a body pass.
 */
function checkJsonContentType(req: Request): CtException | undefined {
  if (!BODY_METHODS.has(req.method) || FORM_ROUTES.has(req.path)) return undefined;
  const length = req.headers['content-length'];
  const hasBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && length.trim() !== '0');
  if (!hasBody || req.is(JSON_TYPES)) return undefined;
  const given = req.headers['content-type'];
  const message = `${given ? `The Content-Type '${given.slice(0, 100)}' is not supported` : 'The request has a body but no Content-Type'}: send the body as JSON with the header 'Content-Type: application/json'.`;
  return new CtException(415, [{ code: 'InvalidInput', message }], message);
}

/** After body parsing, before anything recursive: depth, sizes and unstorable text of the parsed body (JSON or form). */
function checkBody(req: Request): CtException | undefined {
  const problem = checkInput(req.body as unknown);
  return problem ? new CtException(400, [problem], problem.message) : undefined;
}

/** Builds the HTTP application (not listening): body parsing, docs, and the Nest module tree. */
export async function createApp(config: BerthConfig, dataSource: DataSource, options: { logger?: false } = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config, dataSource), {
    bodyParser: false,
    abortOnError: false,
    bufferLogs: options.logger !== false,
    logger: options.logger === false ? false : undefined,
  });
  if (options.logger !== false) app.useLogger(app.get(Logger));
  // Over-long URLs and headers, malformed HTTP: an ErrorResponse from the server itself (before express runs).
  applyHttpServerLimits(app.getHttpServer());
  app.disable('x-powered-by');
  app.set('query parser', 'extended');
  app.set('trust proxy', config.trustProxy);
  // commercetools clients send `Content-Type: application/json` on GET and DELETE without a body; the
  // JSON parser only reads bodies that exist, and a parse failure becomes InvalidJsonInput here.
  const json = express.json({ limit: config.bodyLimitBytes, strict: false, type: ['application/json', 'application/*+json'], verify: verifyJsonBody });
  const form = express.urlencoded({ extended: false, limit: '16kb' });
  app.use((req: Request, res: Response, next: NextFunction) => {
    const tooLarge = checkRequestSize(req);
    return tooLarge ? sendError(res, tooLarge) : next();
  });
  app.use((req: Request, res: Response, next: NextFunction) => {
    const stop = httpRequestDuration.startTimer();
    res.on('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      stop({ method: req.method, route: `${req.baseUrl ?? ''}${route}`, status: String(res.statusCode) });
    });
    next();
  });
  // Path segments and query values reach SQL as text: NUL, malformed percent-encoding or unpaired surrogates are a
  // 400 for every route (before authentication, so unauthenticated requests get it too).
  app.use((req: Request, res: Response, next: NextFunction) => {
    let problem: string | undefined;
    try {
      problem = checkRequestTarget(req.path, req.query);
    } catch {
      problem = 'The query string is malformed.';
    }
    return problem ? sendError(res, new InvalidInput(problem)) : next();
  });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (isFileUpload(req)) return next();
    const unsupported = checkJsonContentType(req);
    return unsupported ? sendError(res, unsupported) : next();
  });
  app.use((req: Request, res: Response, next: NextFunction) => (isFileUpload(req) ? next() : json(req, res, (error?: unknown) => (error ? sendError(res, error) : next()))));
  app.use((req: Request, res: Response, next: NextFunction) => (isFileUpload(req) ? next() : form(req, res, (error?: unknown) => (error ? sendError(res, error) : next()))));
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (isFileUpload(req)) return next();
    const problem = checkBody(req);
    return problem ? sendError(res, problem) : next();
  });

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Berth')
      .setDescription('A self-hostable, commercetools-compatible Import API')
      .setVersion('1')
      .addBearerAuth()
      // Swagger UI's Authorize: the client-credentials flow posts grant_type (and scope) to /oauth/token with the
      // client id and secret as HTTP Basic, exactly what the token endpoint expects.
      .addOAuth2({ type: 'oauth2', description: 'OAuth 2.0 client credentials (an API client from `npm run cli -- clients:create`)', flows: { clientCredentials: { tokenUrl: '/oauth/token', scopes: {} } } }, 'oauth2')
      .addBasicAuth({ type: 'http', scheme: 'basic', description: 'client_id:client_secret (token endpoint only)' }, 'basic')
      .build(),
  );
  addComponentSchemas(document, ERROR_SCHEMAS);
  // The Import API's own schemas (the ones requests are validated against), referenced by the import request bodies.
  addComponentSchemas(document, jsonSchemaDefinitionsToComponents(importApiSchemas as unknown as Parameters<typeof jsonSchemaDefinitionsToComponents>[0]));
  const server = app.getHttpAdapter().getInstance() as express.Express;
  server.get('/openapi.json', (_req: Request, res: Response) => {
    res.json(document);
  });
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: '/docs-json', swaggerOptions: { persistAuthorization: true } });
  return app;
}
