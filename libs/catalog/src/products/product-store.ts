import { ErrorObject } from '../../../common/src';
import { KeyReference } from '../references';
import { CatalogScope } from '../scope';
import { DocumentRow, findById, findByKey } from '../documents';
import { AttributeDefinition, ProductTypeInfo } from './attributes';
import { productTypeConstraintErrors } from './product-constraints';
import { ProductDocument, compact, distinctVariants, sameData } from './product-model';

export const PRODUCTS_TABLE = 'products';

export interface LoadedProduct {
  id: string;
  key: string;
  version: number;
  data: ProductDocument;
}

function loaded(row: DocumentRow | undefined): LoadedProduct | undefined {
  if (!row || row.key === null) return undefined;
  return { id: row.id, key: row.key, version: row.version, data: row.data as unknown as ProductDocument };
}

/** Loads and locks a product: writers of one product (draft, variants, prices, patches) serialize on its row. */
export async function lockProductByKey(context: CatalogScope, key: string): Promise<LoadedProduct | undefined> {
  const cacheKey = `product-key:${key}`;
  if (context.cache.has(cacheKey)) return context.cache.get(cacheKey) as LoadedProduct | undefined;
  return loaded(await findByKey(context.manager, PRODUCTS_TABLE, context.projectKey, key, true));
}

export const lockProductById = async (context: CatalogScope, id: string) => loaded(await findById(context.manager, PRODUCTS_TABLE, context.projectKey, id, true));

/** Loads and locks the products with these ids in one statement (in key order, as preloadProductsByKey locks), by id. */
export async function lockProductsById(context: CatalogScope, ids: string[]): Promise<Map<string, LoadedProduct>> {
  if (ids.length === 0) return new Map();
  const rows = (await context.manager.query(
    `SELECT id, key, version, data, created_at, last_modified_at FROM products WHERE project_key = $1 AND id = ANY($2::uuid[]) ORDER BY key FOR UPDATE`,
    [context.projectKey, ids],
  )) as DocumentRow[];
  const products = new Map<string, LoadedProduct>();
  for (const row of rows) {
    const product = loaded(row);
    if (product) products.set(row.id, product);
  }
  return products;
}

/**
 * Loads and locks the products with these keys in one statement (in key order, so concurrent batches lock
 * alike) and keeps them in the batch's cache for lockProductByKey. For set-wise appliers whose batch holds
 * each product key once.
 */
export async function preloadProductsByKey(context: CatalogScope, keys: string[]): Promise<void> {
  const rows = (await context.manager.query(
    `SELECT id, key, version, data, created_at, last_modified_at FROM products WHERE project_key = $1 AND key = ANY($2::text[]) ORDER BY key FOR UPDATE`,
    [context.projectKey, keys],
  )) as DocumentRow[];
  const found = new Map(rows.map((row) => [row.key, loaded(row)]));
  for (const key of keys) context.cache.set(`product-key:${key}`, found.get(key));
}

function productTypeInfo(row: DocumentRow): ProductTypeInfo {
  return { id: row.id, key: row.key ?? '', attributes: (row.data.attributes as AttributeDefinition[] | undefined) ?? [] };
}

/** A product type, read once per batch (the batch's cache). */
export async function loadProductType(context: CatalogScope, id: string): Promise<ProductTypeInfo | undefined> {
  const cacheKey = `product-type:${id}`;
  if (context.cache.has(cacheKey)) return context.cache.get(cacheKey) as ProductTypeInfo | undefined;
  const row = await findById(context.manager, 'product_types', context.projectKey, id);
  const info = row ? productTypeInfo(row) : undefined;
  context.cache.set(cacheKey, info);
  return info;
}

/** Loads several product types into the batch's cache with one statement. */
export async function preloadProductTypes(context: CatalogScope, ids: string[]): Promise<void> {
  const missing = [...new Set(ids)].filter((id) => !context.cache.has(`product-type:${id}`));
  if (missing.length === 0) return;
  const rows = (await context.manager.query(`SELECT id, key, version, data, created_at, last_modified_at FROM product_types WHERE project_key = $1 AND id = ANY($2::uuid[])`, [
    context.projectKey,
    missing,
  ])) as DocumentRow[];
  for (const row of rows) context.cache.set(`product-type:${row.id}`, productTypeInfo(row));
}

const duplicate = (field: string, value: string, where: string): ErrorObject => ({
  code: 'DuplicateField',
  message: `A duplicate value '"${value}"' exists for field '${field}'${where}.`,
  field,
  duplicateValue: value,
});

function slugsOf(document: ProductDocument): Array<{ locale: string; slug: string }> {
  const seen = new Map<string, { locale: string; slug: string }>();
  for (const data of [document.masterData.staged, document.masterData.current]) {
    for (const [locale, slug] of Object.entries(data.slug ?? {})) seen.set(`${locale}\u0000${slug}`, { locale, slug });
  }
  return [...seen.values()];
}

type UniqueValue = { field: 'sku' | 'key' | 'slug'; value: string; label: string };

/** Per document object (documents are not changed once built; a batch asks several times for each). */
const uniqueValuesCache = new WeakMap<ProductDocument, UniqueValue[]>();

/** The values a product holds that must be unique in the project: SKUs and variant keys, and slugs per locale. */
function uniqueValuesOf(document: ProductDocument | undefined): UniqueValue[] {
  if (!document) return [];
  let values = uniqueValuesCache.get(document);
  if (!values) {
    values = computeUniqueValues(document);
    uniqueValuesCache.set(document, values);
  }
  return values;
}

function computeUniqueValues(document: ProductDocument): UniqueValue[] {
  const variants = distinctVariants(document);
  return [
    ...variants.flatMap((variant) => (variant.sku !== undefined ? [{ field: 'sku' as const, value: variant.sku, label: variant.sku }] : [])),
    ...variants.flatMap((variant) => (variant.key !== undefined ? [{ field: 'key' as const, value: variant.key, label: variant.key }] : [])),
    ...slugsOf(document).map(({ locale, slug }) => ({ field: 'slug' as const, value: `${locale}\u0000${slug}`, label: slug })),
  ];
}

/**
 * Who holds each unique value of these documents today, read with one statement per kind; then, as the
 * products are saved in order, updated in memory, so products of one batch that compete for a value end
 * as they would one by one (the first keeps it, the next is rejected).
 */
class UniqueValueOwners {
  private readonly owners = new Map<string, string>();

  /**
   * `previous`: the stored products being replaced (locked by the caller). Their side rows mirror their
   * documents, so each value they hold is known to be theirs without asking the database: only values no
   * product of the call holds yet are looked up (a price or a patch that keeps SKUs and slugs asks nothing).
   */
  static async load(context: CatalogScope, documents: ProductDocument[], previous: ReadonlyArray<LoadedProduct | undefined>): Promise<UniqueValueOwners> {
    const owners = new UniqueValueOwners();
    for (const product of previous) {
      if (product) for (const value of uniqueValuesOf(product.data)) owners.owners.set(`${value.field}:${value.value}`, product.id);
    }
    const values = documents.flatMap((document) => uniqueValuesOf(document)).filter((value) => !owners.owners.has(`${value.field}:${value.value}`));
    const of = (field: string) => [...new Set(values.filter((value) => value.field === field).map((value) => value.value))];
    for (const field of ['sku', 'key'] as const) {
      const wanted = of(field);
      if (wanted.length === 0) continue;
      const rows = (await context.manager.query(`SELECT ${field} AS value, product_id FROM product_variants WHERE project_key = $1 AND ${field} = ANY($2::text[])`, [
        context.projectKey,
        wanted,
      ])) as Array<{ value: string; product_id: string }>;
      for (const row of rows) owners.owners.set(`${field}:${row.value}`, row.product_id);
    }
    const slugs = of('slug').map((value) => value.split('\u0000'));
    if (slugs.length > 0) {
      const rows = (await context.manager.query(
        `SELECT s.locale, s.slug, s.product_id FROM product_slugs s JOIN unnest($2::text[], $3::text[]) AS wanted(locale, slug) ON s.locale = wanted.locale AND s.slug = wanted.slug
          WHERE s.project_key = $1`,
        [context.projectKey, slugs.map(([locale]) => locale), slugs.map(([, slug]) => slug)],
      )) as Array<{ locale: string; slug: string; product_id: string }>;
      for (const row of rows) owners.owners.set(`slug:${row.locale}\u0000${row.slug}`, row.product_id);
    }
    return owners;
  }

  /** Clashes of one product's document, within itself and with other products (`owner` names this product). */
  clashes(owner: string, document: ProductDocument): ErrorObject[] {
    const errors: ErrorObject[] = [];
    const values = uniqueValuesOf(document);
    for (const field of ['sku', 'key'] as const) {
      const own = values.filter((value) => value.field === field).map((value) => value.value);
      const repeated = own.find((value, index) => own.indexOf(value) !== index);
      if (repeated !== undefined) errors.push(duplicate(field, repeated, ' in more than one variant of the product'));
      const taken = values.find((value) => value.field === field && this.takenByOther(owner, `${field}:${value.value}`));
      if (taken) errors.push(duplicate(field, taken.value, ' on another product'));
    }
    const slug = values.find((value) => value.field === 'slug' && this.takenByOther(owner, `slug:${value.value}`));
    if (slug) errors.push(duplicate('slug', slug.label, ` (locale '${slug.value.split('\u0000')[0]}') on another product`));
    return errors;
  }

  /** The product now holds the values of `next` and no longer those of `previous`. */
  transfer(owner: string, previous: ProductDocument | undefined, next: ProductDocument): void {
    for (const value of uniqueValuesOf(previous)) {
      const id = `${value.field}:${value.value}`;
      if (this.owners.get(id) === owner) this.owners.delete(id);
    }
    for (const value of uniqueValuesOf(next)) this.owners.set(`${value.field}:${value.value}`, owner);
  }

  private takenByOther(owner: string, id: string): boolean {
    const holder = this.owners.get(id);
    return holder !== undefined && holder !== owner;
  }
}

/** The side-table rows a document stands for, as one comparable text (variants, then slugs, in a fixed order). */
function sideRowsKey(document: ProductDocument): string {
  const variants = distinctVariants(document)
    .map((variant) => `${variant.id}\u0000${variant.key ?? ''}\u0001${variant.sku ?? ''}\u0001`)
    .sort();
  const slugs = slugsOf(document)
    .map(({ locale, slug }) => `${locale}\u0000${slug}`)
    .sort();
  return JSON.stringify([variants, slugs]);
}

/**
 * Replaces the variant and slug rows of these products (set-wise), skipping the products whose rows
 * would not change (`previous` holds the same SKUs, variant keys and slugs: a price, an attribute).
 */
async function syncSideTables(
  context: CatalogScope,
  written: Array<{ id: string; document: ProductDocument; created: boolean; previous: ProductDocument | undefined }>,
): Promise<void> {
  const products = written.filter((product) => product.created || !product.previous || sideRowsKey(product.previous) !== sideRowsKey(product.document));
  if (products.length === 0) return;
  // Products created just now have no rows to replace.
  const ids = products.filter((product) => !product.created).map((product) => product.id);
  const variants = products.flatMap(({ id, document }) => distinctVariants(document).map((variant) => ({ id, variant })));
  const slugs = products.flatMap(({ id, document }) => slugsOf(document).map((slug) => ({ id, ...slug })));
  if (ids.length > 0) {
    await context.manager.query(`DELETE FROM product_variants WHERE project_key = $1 AND product_id = ANY($2::uuid[])`, [context.projectKey, ids]);
    await context.manager.query(`DELETE FROM product_slugs WHERE project_key = $1 AND product_id = ANY($2::uuid[])`, [context.projectKey, ids]);
  }
  if (variants.length > 0) {
    await context.manager.query(
      `INSERT INTO product_variants (project_key, product_id, variant_id, key, sku)
       SELECT $1, v.product_id, v.variant_id, v.key, v.sku FROM unnest($2::uuid[], $3::int[], $4::text[], $5::text[]) AS v(product_id, variant_id, key, sku)`,
      [context.projectKey, variants.map((v) => v.id), variants.map((v) => v.variant.id), variants.map((v) => v.variant.key ?? null), variants.map((v) => v.variant.sku ?? null)],
    );
  }
  if (slugs.length > 0) {
    await context.manager.query(
      `INSERT INTO product_slugs (project_key, locale, slug, product_id) SELECT $1, s.locale, s.slug, s.product_id FROM unnest($2::text[], $3::text[], $4::uuid[]) AS s(locale, slug, product_id)`,
      [context.projectKey, slugs.map((s) => s.locale), slugs.map((s) => s.slug), slugs.map((s) => s.id)],
    );
  }
}

const variantKeys = (document: ProductDocument | undefined) =>
  new Set(document ? distinctVariants(document).flatMap((variant) => (variant.key ? [variant.key] : [])) : []);

/**
 * What saveProducts did with one product: `saved` (the version it now has, unchanged when the data was; `created`:
 * what exists since this write — the product, new variant keys, a first master variant), `invalid` (the product
 * type's constraints) or `clash` (a SKU, variant key or slug another product holds, or repeated in this one).
 */
export type ProductSaveResult =
  | { state: 'saved'; version: number; created: KeyReference[] }
  | { state: 'invalid' | 'clash'; errors: ErrorObject[] };

/** One product to write: its key, what it was (locked), what it becomes, and the type its constraints come from. */
export interface ProductWrite {
  context: CatalogScope;
  key: string;
  previous: LoadedProduct | undefined;
  document: ProductDocument;
  /** Given by imports that change attributes or variants: the written projections must meet its constraints. */
  productType?: ProductTypeInfo;
  /**
   * How many versions the write stands for when it changes the product (default 1): a set-wise applier that folds
   * several imports of one product into one write (prices) moves the version as far as one write per import would.
   */
  versionSteps?: number;
}

function constraintErrors(write: ProductWrite, data: ProductDocument): ErrorObject[] {
  if (!write.productType) return [];
  const { staged, current } = data.masterData;
  const errors = productTypeConstraintErrors(write.productType, staged);
  const currentWritten = !sameData(current, staged) && !(write.previous && sameData(current, write.previous.data.masterData.current));
  if (currentWritten) errors.push(...productTypeConstraintErrors(write.productType, current));
  return errors;
}

/**
 * Writes products, set-wise: checks the product types' constraints and SKU/variant-key/slug clashes (in
 * order, so products of one call that compete end as they would one by one), creates the new ones and
 * updates the changed ones with one statement each (the version moves only when the data changed), keeps
 * the side tables in sync, and tells what now exists (the product, new variant keys, a first master variant:
 * `created`, so the caller can retry what waits for them). Each product's keys must be distinct.
 */
export async function saveProducts(writes: ProductWrite[]): Promise<ProductSaveResult[]> {
  if (writes.length === 0) return [];
  const { manager, projectKey } = writes[0].context;
  const documents = writes.map((write) => compact(write.document));
  const owners = await UniqueValueOwners.load(
    writes[0].context,
    documents,
    writes.map((write) => write.previous),
  );
  const results: Array<ProductSaveResult | undefined> = [];
  const accepted: number[] = [];
  for (const [index, write] of writes.entries()) {
    const data = documents[index];
    const invalid = constraintErrors(write, data);
    if (invalid.length > 0) {
      results.push({ state: 'invalid', errors: invalid });
      continue;
    }
    const owner = write.previous?.id ?? `new:${write.key}`;
    const clashes = owners.clashes(owner, data);
    if (clashes.length > 0) {
      results.push({ state: 'clash', errors: clashes });
      continue;
    }
    owners.transfer(owner, write.previous?.data, data);
    results.push(undefined);
    accepted.push(index);
  }
  const inserts = accepted.filter((index) => !writes[index].previous);
  const updates = accepted.filter((index) => writes[index].previous);
  const written = new Map<number, { id: string; version: number; created: boolean }>();
  if (inserts.length > 0) {
    const rows = (await manager.query(
      `INSERT INTO products (project_key, key, data, product_type_id)
       SELECT $1, r.key, r.data, r.product_type_id FROM jsonb_to_recordset($2::jsonb) AS r(key text, data jsonb, product_type_id uuid)
       RETURNING id, key, version`,
      [projectKey, JSON.stringify(inserts.map((index) => ({ key: writes[index].key, data: documents[index], product_type_id: documents[index].productType.id })))],
    )) as Array<{ id: string; key: string; version: number }>;
    const byKey = new Map(rows.map((row) => [row.key, row]));
    for (const index of inserts) {
      const row = byKey.get(writes[index].key)!;
      written.set(index, { id: row.id, version: row.version, created: true });
    }
  }
  if (updates.length > 0) {
    const [rows] = (await manager.query(
      `UPDATE products p SET data = r.data, version = p.version + r.steps, last_modified_at = now(), product_type_id = r.product_type_id
         FROM jsonb_to_recordset($2::jsonb) AS r(id uuid, data jsonb, product_type_id uuid, steps integer)
        WHERE p.project_key = $1 AND p.id = ANY($3::uuid[]) AND p.id = r.id AND p.data IS DISTINCT FROM r.data
       RETURNING p.id, p.version`,
      [
        projectKey,
        JSON.stringify(
          updates.map((index) => ({ id: writes[index].previous!.id, data: documents[index], product_type_id: documents[index].productType.id, steps: writes[index].versionSteps ?? 1 })),
        ),
        updates.map((index) => writes[index].previous!.id),
      ],
    )) as [Array<{ id: string; version: number }>, number];
    const byId = new Map(rows.map((row) => [row.id, row.version]));
    for (const index of updates) {
      const previous = writes[index].previous!;
      const version = byId.get(previous.id);
      if (version !== undefined) written.set(index, { id: previous.id, version, created: false });
      else results[index] = { state: 'saved', version: previous.version, created: [] };
    }
  }
  await syncSideTables(
    writes[0].context,
    [...written.entries()].map(([index, row]) => ({ id: row.id, document: documents[index], created: row.created, previous: writes[index].previous?.data })),
  );
  for (const [index, row] of written) {
    const write = writes[index];
    const data = documents[index];
    const created: KeyReference[] = [];
    if (row.created) created.push({ typeId: 'product', key: write.key });
    const before = variantKeys(write.previous?.data);
    for (const variantKey of variantKeys(data)) if (!before.has(variantKey)) created.push({ typeId: 'product-variant', key: variantKey });
    if (!write.previous?.data.masterData.staged.masterVariant && data.masterData.staged.masterVariant) created.push({ typeId: 'product-master-variant', key: write.key });
    results[index] = { state: 'saved', version: row.version, created };
  }
  return results.map((result) => result!);
}
