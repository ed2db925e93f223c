import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const DIST = path.join(ROOT, 'dist', 'apps');
