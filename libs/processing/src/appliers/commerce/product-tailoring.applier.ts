import { ErrorObject } from '../../../../common/src';
import { Applier, ApplyContext, ApplyResult } from '../../applier';
import { KeyReference } from '../../../../catalog/src/references';
import { duplicateField, idReference, resolvableReferences, storeKeyReference } from '../../../../catalog/src/customers/commerce-support';
import { findByKey, upsertDocument } from '../../../../catalog/src/documents';
import { ImportAttribute, LocalizedString, compact, resolveReferences, sameData } from '../../../../catalog/src/products/product-model';
import { PRODUCT_TAILORINGS_TABLE } from '../../../../catalog/src/tables';

export interface ProductTailoringImport {
  key: string;
  store: KeyReference;
  product: KeyReference;
  name?: LocalizedString;
  description?: LocalizedString;
  metaTitle?: LocalizedString;
  metaDescription?: LocalizedString;
  metaKeywords?: LocalizedString;
  slug?: LocalizedString;
  publish?: boolean;
  variants?: Array<{ sku: string; images?: unknown[]; assets?: unknown[]; attributes?: ImportAttribute[] }>;
  attributes?: ImportAttribute[];
}

const tailoredAttributes = (context: ApplyContext, attributes: ImportAttribute[] | undefined) =>
  attributes?.map((attribute) => ({ name: attribute.name, value: resolveReferences(attribute.value, context.resolved) }));

/**
 * ProductTailoringImport → ProductTailoring (store-specific product data), upsert by key; one tailoring per
 * store and product. Like products, it has current and staged data: `publish` makes staged current.
 */
export const productTailoringApplier: Applier<ProductTailoringImport> = {
  resourceType: 'product-tailoring',
  references: (resource) => resolvableReferences(resource),
  async apply(resource: ProductTailoringImport, context: ApplyContext): Promise<ApplyResult> {
    const product = idReference(context, resource.product);
    const storeId = idReference(context, resource.store).id;
    const clash = (await context.manager.query(`SELECT key FROM ${PRODUCT_TAILORINGS_TABLE} WHERE project_key = $1 AND store_id = $2 AND product_id = $3 AND key <> $4 LIMIT 1`, [
      context.projectKey,
      storeId,
      product.id,
      resource.key,
    ])) as Array<{ key: string }>;
    if (clash.length > 0) {
      return { state: 'rejected', errors: [duplicateField('product', resource.product, `The product is already tailored for store '${resource.store.key}' by '${clash[0].key}'.`)] };
    }
    const errors: ErrorObject[] = [];
    const skus = (resource.variants ?? []).map((variant) => variant.sku);
    const rows =
      skus.length === 0
        ? []
        : ((await context.manager.query(`SELECT variant_id, sku FROM product_variants WHERE project_key = $1 AND product_id = $2 AND sku = ANY($3::text[])`, [
            context.projectKey,
            product.id,
            skus,
          ])) as Array<{ variant_id: number; sku: string }>);
    const variants = (resource.variants ?? []).map((variant, index) => {
      const row = rows.find((candidate) => candidate.sku === variant.sku);
      if (!row) errors.push({ code: 'InvalidField', message: `The product '${resource.product.key}' has no variant with SKU '${variant.sku}'.`, field: `variants.${index}.sku`, invalidValue: variant.sku });
      return compact({ id: row?.variant_id, sku: variant.sku, images: variant.images, assets: variant.assets, attributes: tailoredAttributes(context, variant.attributes) });
    });
    if (errors.length > 0) return { state: 'validationFailed', errors };

    const staged = compact({
      name: resource.name,
      description: resource.description,
      metaTitle: resource.metaTitle,
      metaDescription: resource.metaDescription,
      metaKeywords: resource.metaKeywords,
      slug: resource.slug,
      ...(variants.length > 0 ? { variants } : {}),
      attributes: tailoredAttributes(context, resource.attributes),
    });
    const previous = await findByKey(context.manager, PRODUCT_TAILORINGS_TABLE, context.projectKey, resource.key, true);
    const previousCurrent = previous?.data.current;
    const published = resource.publish === true || (resource.publish === undefined && previous?.data.published === true);
    const current = resource.publish === true || previousCurrent === undefined ? staged : previousCurrent;
    const data = {
      store: storeKeyReference(resource.store),
      product,
      published,
      current,
      staged,
      hasStagedChanges: !sameData(current, staged),
    };
    const result = await upsertDocument(context.manager, PRODUCT_TAILORINGS_TABLE, context.projectKey, resource.key, data, { store_id: storeId, product_id: product.id });
    if (result.created) context.created('product-tailoring', resource.key);
    return { state: 'imported', resourceVersion: result.version };
  },
};
