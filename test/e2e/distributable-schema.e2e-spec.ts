import * as fs from 'node:fs';
import * as path from 'node:path';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/**
 * Berth's schema must stay distributable by project (Citus `create_distributed_table(…, 'project_key')`,
 * docs/SCALING.md): every project-scoped table has `project_key` as the first column of its primary key
 * and of every unique constraint or unique index, every foreign key between project-scoped tables
 * includes `project_key` on both sides, and no SQL joins two project-scoped tables without equating their
 * project keys. Installation-wide tables are listed here explicitly; Citus makes them reference tables.
 */
export const INSTALLATION_WIDE_TABLES = ['api_clients', 'signing_keys', 'berth_meta', 'reaper_runs', 'berth_migrations'];

const ROOT = path.resolve(__dirname, '..', '..');

describe('distributable schema (project_key everywhere)', () => {
  let db: TestDatabase;
  let tables: string[];

  beforeAll(async () => {
    db = await createTestDatabase(2);
    const rows = (await db.dataSource.query(`SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                                             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1`)) as Array<{ name: string }>;
    tables = rows.map((row) => row.name);
  });
  afterAll(async () => {
    await db.drop();
  });

  const projectTables = () => tables.filter((table) => !INSTALLATION_WIDE_TABLES.includes(table));

  it('lists every table as project-scoped (with a project_key column) or as installation-wide', async () => {
    const withProjectKey = (await db.dataSource.query(
      `SELECT table_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'project_key'`,
    )) as Array<{ name: string }>;
    const scoped = new Set(withProjectKey.map((row) => row.name));
    expect(projectTables().filter((table) => !scoped.has(table))).toEqual([]);
    expect(projectTables().length).toBeGreaterThan(20);
    // The installation-wide list names real tables (a renamed table must be moved, not silently dropped from the check).
    expect(INSTALLATION_WIDE_TABLES.filter((table) => !tables.includes(table))).toEqual([]);
  });

  it('every primary key, unique constraint and unique index of a project-scoped table starts with project_key', async () => {
    const indexes = (await db.dataSource.query(
      `SELECT t.relname AS "table", i.relname AS "index", a.attname AS "first"
         FROM pg_index x
         JOIN pg_class t ON t.oid = x.indrelid
         JOIN pg_class i ON i.oid = x.indexrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0]
        WHERE n.nspname = 'public' AND (x.indisunique OR x.indisprimary)`,
    )) as Array<{ table: string; index: string; first: string | null }>;
    const scoped = new Set(projectTables());
    const wrong = indexes.filter((index) => scoped.has(index.table) && index.first !== 'project_key').map((index) => `${index.table}.${index.index} starts with ${index.first ?? 'an expression'}`);
    expect(wrong).toEqual([]);
    // Every project-scoped table has a primary key (Citus needs one to distribute, and logical replication to move shards).
    const withPrimaryKey = new Set(indexes.filter((index) => index.index.endsWith('_pkey')).map((index) => index.table));
    expect(projectTables().filter((table) => !withPrimaryKey.has(table))).toEqual([]);
  });

  it('every foreign key between project-scoped tables includes project_key on both sides, at the same position', async () => {
    const keys = (await db.dataSource.query(
      `SELECT c.conname AS name, t.relname AS "from", r.relname AS "to",
              array(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i)::text[] AS "fromColumns",
              array(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i)::text[] AS "toColumns"
         FROM pg_constraint c
         JOIN pg_class t ON t.oid = c.conrelid
         JOIN pg_class r ON r.oid = c.confrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE c.contype = 'f' AND n.nspname = 'public'`,
    )) as Array<{ name: string; from: string; to: string; fromColumns: string[]; toColumns: string[] }>;
    expect(keys.length).toBeGreaterThan(5);
    const scoped = new Set(projectTables());
    const wrong = keys
      .filter((key) => scoped.has(key.from) || scoped.has(key.to))
      .filter((key) => !scoped.has(key.from) || !scoped.has(key.to) || key.fromColumns.indexOf('project_key') === -1 || key.fromColumns.indexOf('project_key') !== key.toColumns.indexOf('project_key'))
      .map((key) => `${key.name}: ${key.from}(${key.fromColumns.join(', ')}) → ${key.to}(${key.toColumns.join(', ')})`);
    expect(wrong).toEqual([]);
  });

  it('docs/SCALING.md distributes every project-scoped table and makes every installation-wide one a reference table', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'SCALING.md'), 'utf8');
    const distributed = new Set([...doc.matchAll(/create_distributed_table\('([a-z_]+)', 'project_key'/g)].map((match) => match[1]));
    const reference = new Set([...doc.matchAll(/create_reference_table\('([a-z_]+)'\)/g)].map((match) => match[1]));
    expect(projectTables().filter((table) => !distributed.has(table))).toEqual([]);
    expect([...distributed].filter((table) => !projectTables().includes(table))).toEqual([]);
    expect(INSTALLATION_WIDE_TABLES.filter((table) => table !== 'berth_migrations' && !reference.has(table))).toEqual([]);
  });

  it('no SQL in the application joins project-scoped tables without equating project_key', () => {
    const scoped = new Set(projectTables());
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) files.push(full);
      }
    };
    walk(path.join(ROOT, 'libs'));
    walk(path.join(ROOT, 'apps'));
    const wrong: string[] = [];
    let joins = 0;
    for (const file of files) {
      for (const found of scanJoins(fs.readFileSync(file, 'utf8'), scoped)) {
        joins++;
        if (!found.ok) wrong.push(`${path.relative(ROOT, file)}: JOIN ${found.table} ON ${found.condition}`);
      }
    }
    expect(joins).toBeGreaterThan(3);
    expect(wrong).toEqual([]);
    // The scanner itself catches a cross-project join.
    const sample = `SELECT * FROM import_operation_waits w JOIN import_operations o ON o.id = w.operation_id WHERE w.key = $1`;
    expect(scanJoins(sample, scoped)).toEqual([{ table: 'import_operations', condition: 'o.id = w.operation_id', ok: false }]);
    expect(scanJoins(sample.replace('ON o.id', 'ON o.project_key = w.project_key AND o.id'), scoped)[0].ok).toBe(true);
  });
});

/** `JOIN <table> [AS] <alias> ON <condition>` up to the next clause keyword; the condition must mention project_key. */
function scanJoins(text: string, scoped: Set<string>): Array<{ table: string; condition: string; ok: boolean }> {
  const join = /\bJOIN\s+([a-z_]+)(?:\s+(?:AS\s+)?[a-z_]+)?\s+ON\s+([\s\S]*?)(?=\b(?:JOIN|WHERE|GROUP|ORDER|LIMIT|RETURNING|UNION|FOR|SET|LEFT|RIGHT|INNER|CROSS)\b|`|\)|$)/gi;
  const found: Array<{ table: string; condition: string; ok: boolean }> = [];
  for (const match of text.matchAll(join)) {
    const table = match[1].toLowerCase();
    if (!scoped.has(table)) continue;
    const condition = match[2].replace(/\s+/g, ' ').trim().slice(0, 160);
    found.push({ table, condition, ok: /project_key/i.test(match[2]) });
  }
  return found;
}
