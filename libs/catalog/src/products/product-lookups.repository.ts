import { CatalogScope } from '../scope';

/**
 * Reads of the products tables (`products`, `product_variants`) that other areas make: orders find their line
 * items' variants and product types, tailorings the variants of their product. No locks: the rows are only read.
 */
type Scope = Pick<CatalogScope, 'manager' | 'projectKey'>;

/** A variant as the variant index (`product_variants`) holds it. */
export interface VariantRow {
  product_id: string;
  variant_id: number;
  key: string | null;
  sku: string | null;
}

/** The variants (of any product) that have one of these SKUs or one of these variant keys. */
export async function findVariantsBySkusOrKeys(scope: Scope, skus: string[], variantKeys: string[]): Promise<VariantRow[]> {
  if (skus.length + variantKeys.length === 0) return [];
  return (await scope.manager.query(`SELECT product_id, variant_id, key, sku FROM product_variants WHERE project_key = $1 AND (sku = ANY($2::text[]) OR key = ANY($3::text[]))`, [
    scope.projectKey,
    skus,
    variantKeys,
  ])) as VariantRow[];
}

/** The variants of the product `productId` that have one of these SKUs. */
export async function findProductVariantsBySkus(scope: Scope, productId: string, skus: string[]): Promise<Array<{ variant_id: number; sku: string }>> {
  if (skus.length === 0) return [];
  return (await scope.manager.query(`SELECT variant_id, sku FROM product_variants WHERE project_key = $1 AND product_id = $2 AND sku = ANY($3::text[])`, [
    scope.projectKey,
    productId,
    skus,
  ])) as Array<{ variant_id: number; sku: string }>;
}

/** A product's key and product type reference (`data.productType`). */
export interface ProductInfo {
  key: string | null;
  productType: unknown;
}

/** The key and product type of each of these products that exists, by id. */
export async function findProductInfosByIds(scope: Scope, ids: string[]): Promise<Map<string, ProductInfo>> {
  const products = new Map<string, ProductInfo>();
  if (ids.length === 0) return products;
  const rows = (await scope.manager.query(`SELECT id, key, data->'productType' AS product_type FROM products WHERE project_key = $1 AND id = ANY($2::uuid[])`, [
    scope.projectKey,
    ids,
  ])) as Array<{ id: string; key: string | null; product_type: unknown }>;
  for (const row of rows) products.set(row.id, { key: row.key, productType: row.product_type });
  return products;
}
