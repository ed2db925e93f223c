import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { metricsRegistry } from '../../../libs/common/src/metrics';

const PING_TIMEOUT_MS = 3000;

async function pingDatabase(dataSource: DataSource): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      dataSource.query('SELECT 1'),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS))),
    ]);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The worker's small HTTP server (WORKER_HTTP_PORT): `/health` and `/health/ready` (process up and database
 * answering, 503 otherwise, terminus format as the API), `/health/live` (process only) and `/metrics`
 * (this process's prom-client registry: berth_operations_processed_total, berth_reaper_deleted_total, …).
 */
export async function startWorkerHttp(dataSource: DataSource, port: number, host: string, roles: string[]): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    const send = (status: number, body: unknown, type = 'application/json; charset=utf-8') => {
      res.writeHead(status, { 'Content-Type': type, ...(status === 503 ? { 'Retry-After': '5' } : {}) });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, { statusCode: 405, message: 'Only GET is supported.' });
    if (url === '/metrics') {
      metricsRegistry.metrics().then(
        (text) => send(200, text, metricsRegistry.contentType),
        (error: unknown) => send(500, { statusCode: 500, message: String(error) }),
      );
      return;
    }
    if (url === '/health/live') return send(200, { status: 'ok', info: { process: { status: 'up', roles, uptimeSeconds: Math.round(process.uptime()) } }, error: {}, details: {} });
    if (url === '/health' || url === '/health/ready') {
      void pingDatabase(dataSource).then((problem) => {
        const database = problem ? { status: 'down', message: problem } : { status: 'up' };
        if (problem) send(503, { status: 'error', info: {}, error: { database }, details: { database } });
        else send(200, { status: 'ok', info: { database }, error: {}, details: { database } });
      });
      return;
    }
    send(404, { statusCode: 404, message: `No route ${url}; the worker serves /health, /health/live, /health/ready and /metrics.` });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { server, port: (server.address() as AddressInfo).port };
}
