import { ErrorObject } from '../../../common/src';
import { ApplyContext, ApplyResult } from '../../../processing/src/applier';
import { DocumentRow, findById, findByKey, upsertDocument } from '../documents';
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
export const lockProductByKey = async (context: ApplyContext, key: string) => loaded(await findByKey(context.manager, PRODUCTS_TABLE, context.projectKey, key, true));

export const lockProductById = async (context: ApplyContext, id: string) => loaded(await findById(context.manager, PRODUCTS_TABLE, context.projectKey, id, true));

export async function loadProductType(context: ApplyContext, id: string): Promise<ProductTypeInfo | undefined> {
  const row = await findById(context.manager, 'product_types', context.projectKey, id);
  if (!row) return undefined;
  return { id: row.id, key: row.key ?? '', attributes: ((row.data.attributes as AttributeDefinition[] | undefined) ?? []) };
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

/** SKU, variant key and slug clashes, within the product and with other products of the project (checked before writing). */
async function uniquenessErrors(context: ApplyContext, productId: string | undefined, document: ProductDocument): Promise<ErrorObject[]> {
  const errors: ErrorObject[] = [];
  const variants = distinctVariants(document);
  for (const field of ['sku', 'key'] as const) {
    const values = variants.map((variant) => variant[field]).filter((value): value is string => typeof value === 'string');
    const repeated = values.find((value, index) => values.indexOf(value) !== index);
    if (repeated !== undefined) errors.push(duplicate(field, repeated, ' in more than one variant of the product'));
    if (values.length === 0) continue;
    const taken = (await context.manager.query(
      `SELECT ${field} AS value FROM product_variants WHERE project_key = $1 AND ${field} = ANY($2::text[]) AND product_id IS DISTINCT FROM $3::uuid LIMIT 1`,
      [context.projectKey, values, productId ?? null],
    )) as Array<{ value: string }>;
    if (taken.length > 0) errors.push(duplicate(field, taken[0].value, ' on another product'));
  }
  const slugs = slugsOf(document);
  if (slugs.length > 0) {
    const taken = (await context.manager.query(
      `SELECT s.locale, s.slug FROM product_slugs s JOIN unnest($2::text[], $3::text[]) AS wanted(locale, slug) ON s.locale = wanted.locale AND s.slug = wanted.slug
        WHERE s.project_key = $1 AND s.product_id IS DISTINCT FROM $4::uuid LIMIT 1`,
      [context.projectKey, slugs.map((s) => s.locale), slugs.map((s) => s.slug), productId ?? null],
    )) as Array<{ locale: string; slug: string }>;
    if (taken.length > 0) errors.push(duplicate('slug', taken[0].slug, ` (locale '${taken[0].locale}') on another product`));
  }
  return errors;
}

async function syncSideTables(context: ApplyContext, productId: string, document: ProductDocument): Promise<void> {
  const variants = distinctVariants(document);
  await context.manager.query(`DELETE FROM product_variants WHERE project_key = $1 AND product_id = $2`, [context.projectKey, productId]);
  if (variants.length > 0) {
    await context.manager.query(
      `INSERT INTO product_variants (project_key, product_id, variant_id, key, sku)
       SELECT $1, $2, v.variant_id, v.key, v.sku FROM unnest($3::int[], $4::text[], $5::text[]) AS v(variant_id, key, sku)`,
      [context.projectKey, productId, variants.map((v) => v.id), variants.map((v) => v.key ?? null), variants.map((v) => v.sku ?? null)],
    );
  }
  const slugs = slugsOf(document);
  await context.manager.query(`DELETE FROM product_slugs WHERE project_key = $1 AND product_id = $2`, [context.projectKey, productId]);
  if (slugs.length > 0) {
    await context.manager.query(
      `INSERT INTO product_slugs (project_key, locale, slug, product_id) SELECT $1, s.locale, s.slug, $2 FROM unnest($3::text[], $4::text[]) AS s(locale, slug)`,
      [context.projectKey, productId, slugs.map((s) => s.locale), slugs.map((s) => s.slug)],
    );
  }
}

const variantKeys = (document: ProductDocument | undefined) =>
  new Set(document ? distinctVariants(document).flatMap((variant) => (variant.key ? [variant.key] : [])) : []);

/**
 * Writes a product: rejects SKU/key/slug clashes, creates or updates the document (the version moves
 * only when the data changed), keeps the side tables in sync and announces what now exists (the
 * product, new variant keys, a first master variant) so waiting operations are retried.
 */
export async function saveProduct(
  context: ApplyContext,
  key: string,
  previous: LoadedProduct | undefined,
  document: ProductDocument,
  /** Given by imports that change attributes or variants: the written projections must meet its constraints. */
  productType?: ProductTypeInfo,
): Promise<ApplyResult> {
  const data = compact(document);
  if (productType) {
    const { staged, current } = data.masterData;
    const constraintErrors = productTypeConstraintErrors(productType, staged);
    const currentWritten = !sameData(current, staged) && !(previous && sameData(current, previous.data.masterData.current));
    if (currentWritten) constraintErrors.push(...productTypeConstraintErrors(productType, current));
    if (constraintErrors.length > 0) return { state: 'validationFailed', errors: constraintErrors };
  }
  const errors = await uniquenessErrors(context, previous?.id, data);
  if (errors.length > 0) return { state: 'rejected', errors };
  const result = await upsertDocument(context.manager, PRODUCTS_TABLE, context.projectKey, key, data as unknown as Record<string, unknown>, {
    product_type_id: data.productType.id,
  });
  if (result.changed) await syncSideTables(context, result.id, data);
  if (result.created) context.created('product', key);
  const before = variantKeys(previous?.data);
  for (const variantKey of variantKeys(data)) if (!before.has(variantKey)) context.created('product-variant', variantKey);
  if (!previous?.data.masterData.staged.masterVariant && data.masterData.staged.masterVariant) context.created('product-master-variant', key);
  return { state: 'imported', resourceVersion: result.version };
}

