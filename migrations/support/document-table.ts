/**
 * The standard domain-table DDL as the migrations of 2025-11 created it: a frozen copy, part of the
 * migration history. Migrations never import application code (a later change there must not change
 * what an old migration does); never edit this function — write a new migration instead.
 */
export function documentTableSql(name: string, extra: string[] = [], keyRequired = true): string {
  if (!/^[a-z_]+$/.test(name)) throw new Error(`invalid table name ${name}`);
  return `CREATE TABLE ${name} (
    project_key      text        NOT NULL,
    id               uuid        NOT NULL DEFAULT gen_random_uuid(),
    key              text        ${keyRequired ? 'NOT NULL' : 'NULL'},
    version          integer     NOT NULL DEFAULT 1,
    data             jsonb       NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_modified_at timestamptz NOT NULL DEFAULT now(),
    ${extra.map((line) => `${line},`).join('\n    ')}
    PRIMARY KEY (project_key, id),
    CONSTRAINT ${name}_key_unique UNIQUE (project_key, key)
  )`;
}
