import * as fs from 'node:fs';
import * as path from 'node:path';
import { MIGRATIONS } from '../../migrations';

const DIR = path.resolve(__dirname, '..', '..', 'migrations');

/** Every .ts file under migrations/ (the migrations, their frozen support code and the index). */
function migrationFiles(dir = DIR): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? migrationFiles(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

describe('migrations are frozen history', () => {
  it('import nothing but typeorm and each other: never application code', () => {
    const wrong: string[] = [];
    for (const file of migrationFiles()) {
      for (const match of fs.readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)) {
        const target = match[1];
        if (target === 'typeorm') continue;
        const resolved = path.resolve(path.dirname(file), target);
        if (!target.startsWith('.') || !resolved.startsWith(DIR + path.sep)) wrong.push(`${path.relative(DIR, file)} imports ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('the index lists every migration file once, in timestamp order', () => {
    const files = fs
      .readdirSync(DIR)
      .filter((name) => /^\d{13}-[A-Za-z]+\.ts$/.test(name))
      .map((name) => name.replace(/^(\d{13})-([A-Za-z]+)\.ts$/, '$2$1'))
      .sort((a, b) => a.slice(-13).localeCompare(b.slice(-13)));
    expect(MIGRATIONS.map((migration) => migration.name)).toEqual(files);
  });
});
