import { ErrorObject } from '../../../../common/src';
import { Applier, ApplyContext, ApplyResult } from '../../applier';
import { KeyReference, collectKeyReferences } from '../../../../catalog/src/references';
import { buildVariant, resolvedId } from '../../../../catalog/src/products/product-fields';
import { ImportAttribute, ImportAsset, ImportPrice, MasterData, distinctVariants, nextVariantId, putVariant, sameData, withProjections, withStaged } from '../../../../catalog/src/products/product-model';
import { embeddedPriceErrors } from '../../../../catalog/src/products/prices';
import { loadProductType, lockProductById } from '../../../../catalog/src/products/product-store';
import { writeProduct } from './product-imports';

/** ProductVariantImport (and VariantImport, which has no `isMasterVariant`). */
export interface ProductVariantImport {
  key: string;
  sku?: string;
  isMasterVariant?: boolean;
  prices?: ImportPrice[];
  attributes?: ImportAttribute[];
  images?: unknown[];
  assets?: ImportAsset[];
  publish?: boolean;
  staged?: boolean;
  product: KeyReference;
}

type Flavour = 'product-variant' | 'variant';

/**
 * Creates or replaces one variant (found by key) of a product. A non-master variant of a product
 * without a master variant waits in `waitForMasterVariant` until one arrives — except for a
 * VariantImport, which cannot name a master and so becomes the master itself.
 */
function variantApplier(resourceType: Flavour): Applier<ProductVariantImport> {
  return {
    resourceType,
    references: (resource) => collectKeyReferences(resource),
    async apply(resource: ProductVariantImport, context: ApplyContext): Promise<ApplyResult> {
      const product = await lockProductById(context, resolvedId(context, resource.product));
      if (!product) throw new Error(`product ${resource.product.key} vanished`);
      const productType = await loadProductType(context, product.data.productType.id);
      if (!productType) throw new Error(`product type of ${resource.product.key} vanished`);
      const { masterData } = product.data;
      const hasMaster = masterData.staged.masterVariant !== undefined;
      const existing = distinctVariants(product.data).find((variant) => variant.key === resource.key);
      if (!hasMaster && resource.isMasterVariant === false) {
        return { state: 'waitForMasterVariant', unresolvedReferences: [{ typeId: 'product-master-variant', key: product.key }] };
      }
      if (hasMaster && resource.isMasterVariant === true && !existing) {
        return { state: 'rejected', errors: [{ code: 'NewMasterVariantAdditionNotAllowed', message: 'Adding a new variant as master variant is not allowed.' }] };
      }
      const errors: ErrorObject[] = [];
      const variant = buildVariant(
        context,
        existing?.id ?? nextVariantId(product.data),
        { key: resource.key, sku: resource.sku, attributes: resource.attributes, images: resource.images, assets: resource.assets, prices: resource.prices },
        existing,
        productType,
        '',
        errors,
      );
      errors.push(...(await embeddedPriceErrors(context, resource.prices, 'prices')));
      if (errors.length > 0) return { state: 'validationFailed', errors };
      // A ProductVariantImport carries no prices: the variant keeps the ones it has.
      if (!resource.prices) variant.prices = existing?.prices ?? [];
      const asMaster = resource.isMasterVariant === true || !hasMaster;
      const staged = putVariant(masterData.staged, variant, asMaster);
      // publish: true publishes the product (staged → current); publish: false or staged: false write the variant to both projections.
      const bothProjections = resourceType === 'product-variant' && (resource.publish === false || resource.staged === false);
      let next: MasterData;
      if (resource.publish === true) next = withStaged(masterData, staged, true);
      else if (bothProjections) next = withProjections(masterData, staged, putVariant(masterData.current, variant, asMaster));
      else next = { ...masterData, staged, hasStagedChanges: !sameData(staged, masterData.current) };
      return writeProduct(context, product.key, product, { ...product.data, masterData: next }, productType);
    },
  };
}

export const productVariantApplier = variantApplier('product-variant');
export const variantApplierForVariantImport = variantApplier('variant');
