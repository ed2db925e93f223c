import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dashboardDirectory, loadDashboardAssets } from './dashboard-assets';

describe('dashboard assets', () => {
  it('finds apps/api/dashboard from the sources and from the build layout (dist/apps/api/src/dashboard)', () => {
    const root = path.resolve(__dirname, '..', '..', '..', '..');
    const expected = path.join(root, 'apps', 'api', 'dashboard');
    expect(dashboardDirectory(__dirname)).toBe(expected);
    expect(dashboardDirectory(path.join(root, 'dist', 'apps', 'api', 'src', 'dashboard'))).toBe(expected);
    expect(dashboardDirectory(os.tmpdir())).toBeUndefined();
  });

  it('loads only flat, plainly named html/js/css/svg files, with their content types and a content hash as ETag', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-dashboard-'));
    try {
      for (const name of ['index.html', 'app.js', 'style.css', 'logo.svg', '.hidden.js', 'notes.md', 'App.js', 'x.ts']) fs.writeFileSync(path.join(dir, name), name);
      fs.mkdirSync(path.join(dir, 'nested.js'));
      const assets = loadDashboardAssets(dir);
      expect([...assets.keys()].sort()).toEqual(['app.js', 'index.html', 'logo.svg', 'style.css']);
      expect(assets.get('app.js')?.contentType).toBe('text/javascript; charset=utf-8');
      expect(assets.get('index.html')?.contentType).toBe('text/html; charset=utf-8');
      expect(assets.get('app.js')?.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
      expect(assets.get('app.js')?.etag).not.toBe(assets.get('style.css')?.etag);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
