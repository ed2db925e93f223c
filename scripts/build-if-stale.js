#!/usr/bin/env node
// Builds (tsc -p tsconfig.build.json) only when a source is newer than the build: npm start / cli / start:worker
// then start at once when nothing changed. Compares the newest mtime of the compiled sources (apps/, libs/,
// migrations/, the tsconfig files, package-lock.json) with the build stamp written after a successful build.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const stamp = path.join(root, 'dist', '.build-stamp');
const inputs = ['apps', 'libs', 'migrations', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

function newest(target) {
  let stat;
  try {
    stat = fs.statSync(target);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return /\.(ts|json)$/.test(target) ? stat.mtimeMs : 0;
  let latest = stat.mtimeMs; // a deleted or renamed file changes its directory's mtime
  for (const entry of fs.readdirSync(target)) latest = Math.max(latest, newest(path.join(target, entry)));
  return latest;
}

let built = 0;
try {
  built = fs.statSync(stamp).mtimeMs;
} catch {
  built = 0;
}
const sources = Math.max(...inputs.map((input) => newest(path.join(root, input))));
if (built === 0 || sources > built || process.argv.includes('--force')) {
  const started = Date.now();
  try {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc', { paths: [root] }), '-p', path.join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  } catch {
    process.stderr.write('Berth could not start: the TypeScript build failed (see above)\n');
    process.exit(1);
  }
  fs.mkdirSync(path.dirname(stamp), { recursive: true });
  fs.writeFileSync(stamp, `${new Date().toISOString()}\n`);
  if (process.env.BERTH_BUILD_VERBOSE) process.stderr.write(`built in ${Date.now() - started} ms\n`);
}
