import { EntityManager } from 'typeorm';

export const CATEGORIES_TABLE = 'categories';

export interface CategoryReference {
  typeId: 'category';
  id: string;
}

export interface SlugClash {
  locale: string;
  slug: string;
  categoryKey: string;
}

/** Deepest category tree walked when ancestors change (a guard, commercetools trees are far shallower). */
const MAX_DEPTH = 100;

/**
 * The first slug (locale, value) already held by another category of the project. Checked before writing so that
 * a clash ends the operation cleanly instead of aborting the transaction on the unique constraint.
 */
export async function slugClash(manager: EntityManager, projectKey: string, slug: Record<string, string>, categoryId: string | undefined): Promise<SlugClash | undefined> {
  const locales = Object.keys(slug);
  if (locales.length === 0) return undefined;
  const rows = (await manager.query(
    `SELECT s.locale, s.slug, c.key AS category_key
       FROM unnest($2::text[], $3::text[]) AS wanted(locale, slug)
       JOIN category_slugs s ON s.project_key = $1 AND s.locale = wanted.locale AND s.slug = wanted.slug
       JOIN categories c ON c.project_key = s.project_key AND c.id = s.category_id
      WHERE s.category_id IS DISTINCT FROM $4::uuid
      ORDER BY s.locale
      LIMIT 1`,
    [projectKey, locales, locales.map((locale) => slug[locale]), categoryId ?? null],
  )) as Array<{ locale: string; slug: string; category_key: string }>;
  return rows[0] ? { locale: rows[0].locale, slug: rows[0].slug, categoryKey: rows[0].category_key } : undefined;
}

/** Makes `category_slugs` hold exactly this category's current slugs. */
export async function replaceSlugs(manager: EntityManager, projectKey: string, categoryId: string, slug: Record<string, string>): Promise<void> {
  await manager.query(`DELETE FROM category_slugs WHERE project_key = $1 AND category_id = $2`, [projectKey, categoryId]);
  const locales = Object.keys(slug);
  if (locales.length === 0) return;
  await manager.query(
    `INSERT INTO category_slugs (project_key, locale, slug, category_id) SELECT $1, locale, slug, $4 FROM unnest($2::text[], $3::text[]) AS s(locale, slug)`,
    [projectKey, locales, locales.map((locale) => slug[locale]), categoryId],
  );
}

/**
 * After a category moved, rewrites the ancestors of everything below it (top-down, each descendant under its
 * parent's new chain). Each descendant whose ancestors change gets a new version.
 */
export async function updateDescendantAncestors(manager: EntityManager, projectKey: string, categoryId: string, ancestors: CategoryReference[]): Promise<void> {
  const descendants = (await manager.query(
    `WITH RECURSIVE tree AS (
       SELECT id, parent_id, 1 AS depth FROM categories WHERE project_key = $1 AND parent_id = $2
       UNION ALL
       SELECT c.id, c.parent_id, tree.depth + 1 FROM categories c JOIN tree ON c.project_key = $1 AND c.parent_id = tree.id
        WHERE tree.depth < $3)
     SELECT c.id, c.parent_id FROM tree JOIN categories c ON c.project_key = $1 AND c.id = tree.id
      ORDER BY tree.depth
      FOR UPDATE OF c`,
    [projectKey, categoryId, MAX_DEPTH],
  )) as Array<{ id: string; parent_id: string }>;
  if (descendants.length === 0) return;
  // chain(id) = the ancestors of a category below `id`: id's own ancestors and id itself.
  const chains = new Map<string, CategoryReference[]>([[categoryId, [...ancestors, { typeId: 'category', id: categoryId }]]]);
  const ids: string[] = [];
  const newAncestors: string[] = [];
  for (const descendant of descendants) {
    const above = chains.get(descendant.parent_id);
    if (!above) continue;
    chains.set(descendant.id, [...above, { typeId: 'category', id: descendant.id }]);
    ids.push(descendant.id);
    newAncestors.push(JSON.stringify(above));
  }
  await manager.query(
    `UPDATE categories c
        SET data = jsonb_set(c.data, '{ancestors}', u.ancestors::jsonb), version = c.version + 1, last_modified_at = now()
       FROM unnest($2::uuid[], $3::text[]) AS u(id, ancestors)
      WHERE c.project_key = $1 AND c.id = ANY($2::uuid[]) AND c.id = u.id AND c.data->'ancestors' IS DISTINCT FROM u.ancestors::jsonb`,
    [projectKey, ids, newAncestors],
  );
}
