import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express, { NextFunction, Request, Response } from 'express';
import { DataSource } from 'typeorm';
import { BerthConfig } from '../../../libs/config/src';
import { httpRequestDuration, toErrorResponse } from '../../../libs/common/src';
import { AppModule } from './app.module';

function sendError(res: Response, error: unknown): void {
  const { body, headers } = toErrorResponse(error);
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.status(body.statusCode).json(body);
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
  app.disable('x-powered-by');
  app.set('query parser', 'extended');
  app.set('trust proxy', config.trustProxy);
  // commercetools clients send `Content-Type: application/json` on GET and DELETE without a body; the
  // JSON parser only reads bodies that exist, and a parse failure becomes InvalidJsonInput here.
  const json = express.json({ limit: config.bodyLimitBytes, strict: false, type: ['application/json', 'application/*+json'] });
  const form = express.urlencoded({ extended: false, limit: '16kb' });
  app.use((req: Request, res: Response, next: NextFunction) => {
    const stop = httpRequestDuration.startTimer();
    res.on('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      stop({ method: req.method, route: `${req.baseUrl ?? ''}${route}`, status: String(res.statusCode) });
    });
    next();
  });
  app.use((req: Request, res: Response, next: NextFunction) => json(req, res, (error?: unknown) => (error ? sendError(res, error) : next())));
  app.use((req: Request, res: Response, next: NextFunction) => form(req, res, (error?: unknown) => (error ? sendError(res, error) : next())));

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Berth')
      .setDescription('A self-hostable, commercetools-compatible Import API')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  const server = app.getHttpAdapter().getInstance() as express.Express;
  server.get('/openapi.json', (_req: Request, res: Response) => {
    res.json(document);
  });
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: '/docs-json' });
  return app;
}
