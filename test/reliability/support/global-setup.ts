import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { ROOT } from './paths';

/** Compiles the apps once, as production runs them (dist/apps/{api,worker,cli}). */
export default function globalSetup(): void {
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' });
}
