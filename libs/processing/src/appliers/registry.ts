import { Applier } from '../applier';
import { categoryApplier } from './catalog/category.applier';
import { inventoryApplier } from './catalog/inventory.applier';
import { productTypeApplier } from './catalog/product-type.applier';
import { standalonePriceApplier } from './catalog/standalone-price.applier';
import { typeApplier } from './catalog/type.applier';
import { businessUnitApplier } from './commerce/business-unit.applier';
import { customerApplier } from './commerce/customer.applier';
import { discountCodeApplier } from './commerce/discount-code.applier';
import { orderPatchApplier } from './commerce/order-patch.applier';
import { orderApplier } from './commerce/order.applier';
import { productSelectionApplier } from './commerce/product-selection.applier';
import { productTailoringApplier } from './commerce/product-tailoring.applier';
import { priceApplier } from './products/price.applier';
import { productDraftApplier } from './products/product-draft.applier';
import { productVariantPatchApplier } from './products/product-variant-patch.applier';
import { productVariantApplier, variantApplierForVariantImport } from './products/product-variant.applier';
import { productApplier } from './products/product.applier';

/**
 * Every applier, one per import resource type (the processor checks at start-up, with checkApplierRegistry, that
 * each type of RESOURCE_TYPES has exactly one). Adding a type: one file in its area's folder and one line here.
 * Referenced-only resources (channels, tax categories, …) are created through their own API, never imported: no appliers.
 */
export const APPLIERS: Applier[] = [
  // catalog
  productTypeApplier,
  categoryApplier,
  typeApplier,
  inventoryApplier,
  standalonePriceApplier,
  // products
  productDraftApplier,
  productApplier,
  productVariantApplier,
  variantApplierForVariantImport,
  productVariantPatchApplier,
  priceApplier,
  // commerce
  customerApplier,
  discountCodeApplier,
  orderApplier,
  orderPatchApplier,
  businessUnitApplier,
  productSelectionApplier,
  productTailoringApplier,
] as unknown as Applier[];
