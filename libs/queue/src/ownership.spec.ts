import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * libs/queue is the only code that reads or writes import_operations and import_operation_waits: every other
 * TypeScript source under apps/ and libs/ (specs and migrations aside) calls the queue's functions instead.
 */

const ROOT = join(__dirname, '..', '..', '..');

/**
 * A statement on a queue table: the table after FROM, JOIN, INTO, UPDATE, USING or DELETE FROM, also as a later item
 * of a comma-separated FROM list (`FROM import_containers c, import_operations o`).
 */
const QUEUE_SQL = /\b(?:FROM|JOIN|INTO|UPDATE|USING)\s+(?:[\w.]+(?:\s+(?:AS\s+)?\w+)?\s*,\s*)*(?:public\.)?(import_operations|import_operation_waits)\b/i;

/** Where a source names a queue table in SQL: the first matching line of each statement, with its line number. */
function queueSqlIn(source: string): Array<{ line: number; text: string }> {
  const found: Array<{ line: number; text: string }> = [];
  const pattern = new RegExp(QUEUE_SQL.source, 'gi');
  for (const match of source.matchAll(pattern)) {
    const offset = match.index + match[0].length;
    const line = source.slice(0, offset).split('\n').length;
    found.push({ line, text: source.split('\n')[line - 1].trim() });
  }
  return found;
}

function sourcesUnder(directory: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist') files.push(...sourcesUnder(path));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.e2e-spec.ts') && !entry.name.endsWith('.d.ts')) {
      files.push(path);
    }
  }
  return files;
}

const outsideQueue = [...sourcesUnder(join(ROOT, 'apps')), ...sourcesUnder(join(ROOT, 'libs'))]
  .map((path) => relative(ROOT, path).split(sep).join('/'))
  .filter((path) => !path.startsWith('libs/queue/') && !path.startsWith('migrations/'));

describe('libs/queue owns import_operations', () => {
  it('no source outside libs/queue holds SQL on import_operations or import_operation_waits', () => {
    const offenders = outsideQueue.flatMap((path) => queueSqlIn(readFileSync(join(ROOT, path), 'utf8')).map(({ line, text }) => `${path}:${line}: ${text}`));
    // Move the statement into libs/queue (a named function taking the caller's EntityManager) and call that.
    expect(offenders).toEqual([]);
  });

  it('scans the whole tree (the apps, the pipeline and the Import API are among the files read)', () => {
    expect(outsideQueue.length).toBeGreaterThan(50);
    for (const path of ['apps/api/src/main.ts', 'libs/processing/src/processor.service.ts', 'libs/import/src/operations/import-requests.service.ts']) {
      expect(outsideQueue).toContain(path);
    }
  });

  it('finds the statements the queue itself holds (so the scan is not blind)', () => {
    const queueFiles = sourcesUnder(join(ROOT, 'libs', 'queue', 'src'));
    const found = queueFiles.flatMap((path) => queueSqlIn(readFileSync(path, 'utf8')));
    expect(found.length).toBeGreaterThanOrEqual(20);
  });

  it.each([
    ['SELECT 1 FROM import_operations WHERE id = $1'],
    ['select count(*) from import_operations o'],
    ['DELETE FROM import_operation_waits WHERE project_key = $1'],
    ['INSERT INTO import_operations (project_key, id) VALUES ($1, $2)'],
    ['UPDATE import_operations SET run_at = now()'],
    ['UPDATE import_operations\n   SET run_at = now()'],
    ['SELECT * FROM import_containers c JOIN import_operations o ON o.container_id = c.id'],
    ['SELECT * FROM import_containers c, import_operations o WHERE o.container_id = c.id'],
    ['FROM import_operation_waits w, unnest($2::text[]) AS k(type_id, key), import_containers c'],
    ['DELETE FROM import_operation_waits w USING updated u'],
    ['DELETE FROM x USING import_operations o'],
    ['SELECT 1 FROM public.import_operations'],
  ])('recognises %j', (sql) => {
    expect(queueSqlIn(sql)).toHaveLength(1);
  });

  it.each([
    ["const TABLES = ['import_operations', 'import_operation_waits'];"],
    ["SELECT nextval('import_operations_seq')"],
    ['SELECT 1 FROM import_operations_archive'],
    ['/** True when the operation may have rows in import_operation_waits. */'],
    ['SELECT state FROM import_summary_counts'],
  ])('does not take %j for a statement', (text) => {
    expect(queueSqlIn(text)).toEqual([]);
  });
});
