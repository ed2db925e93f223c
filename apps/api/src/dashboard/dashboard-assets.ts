import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface DashboardAsset {
  body: Buffer;
  contentType: string;
  etag: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};
/** Only flat, plainly named files of the known kinds are served (no paths, no dot files). */
const ASSET_NAME = /^[a-z0-9][a-z0-9-]*\.(html|js|css|svg)$/;

/**
 * Where the page's files live: `apps/api/dashboard` of the checkout, found from this file both when run from the
 * sources (ts-jest: apps/api/src/dashboard) and from the build (dist/apps/api/src/dashboard); the Docker image copies
 * the folder to the same place. The files are plain ES modules and CSS, served as they are (no build step).
 */
export function dashboardDirectory(from = __dirname): string | undefined {
  const candidates = [path.resolve(from, '..', '..', 'dashboard'), path.resolve(from, '..', '..', '..', '..', '..', 'apps', 'api', 'dashboard')];
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'index.html')));
}

/** Reads every servable file of the folder once (a few tens of KB). */
export function loadDashboardAssets(dir: string | undefined = dashboardDirectory()): Map<string, DashboardAsset> {
  const assets = new Map<string, DashboardAsset>();
  if (!dir) return assets;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const name = entry.name;
    if (!entry.isFile() || !ASSET_NAME.test(name)) continue;
    const body = fs.readFileSync(path.join(dir, name));
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    assets.set(name, { body, contentType: CONTENT_TYPES[path.extname(name)], etag });
  }
  return assets;
}

/**
 * The page loads only its own files and talks only to this origin; it is never framed. Inline scripts and style
 * attributes are not allowed: the scripts set styles through the CSSOM, which CSP permits.
 */
export const DASHBOARD_SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};
