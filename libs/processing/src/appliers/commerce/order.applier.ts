import { randomUUID } from 'node:crypto';
import { ErrorObject } from '../../../../common/src';
import { Applier, ApplyContext, ApplyResult } from '../../applier';
import { KeyReference } from '../../../../catalog/src/references';
import { ImportCustom, customFieldErrors, customFields, duplicateField, idReference, normalizeMoney, resolvableReferences, storeKeyReference } from '../../../../catalog/src/customers/commerce-support';
import { findByOrderNumber, insertOrder } from '../../../../catalog/src/orders/orders.repository';
import { ProductInfo, VariantRow, findProductInfosByIds, findVariantsBySkusOrKeys } from '../../../../catalog/src/products/product-lookups.repository';
import { ResolvedScope } from '../../../../catalog/src/scope';
import { ImportAttribute, ImportMoney, LocalizedString, compact, resolveReferences, toMoney } from '../../../../catalog/src/products/product-model';

interface LineItemPrice {
  value: ImportMoney;
  country?: string;
  validFrom?: string;
  validUntil?: string;
  customerGroup?: KeyReference;
  channel?: KeyReference;
  discounted?: unknown;
  tiers?: Array<{ minimumQuantity: number; value: ImportMoney }>;
  custom?: ImportCustom;
}

interface ItemState {
  quantity: number;
  state: KeyReference;
}

interface LineItemImportDraft {
  product?: KeyReference;
  name: LocalizedString;
  variant: { productVariant?: KeyReference; sku?: string; prices?: LineItemPrice[]; attributes?: ImportAttribute[]; images?: unknown[] };
  price: LineItemPrice;
  quantity: number;
  state?: ItemState[];
  supplyChannel?: KeyReference;
  distributionChannel?: KeyReference;
  taxRate?: Record<string, unknown>;
  shippingDetails?: { targets: unknown[] };
  custom?: ImportCustom;
}

interface CustomLineItemDraft {
  name: LocalizedString;
  money: ImportMoney;
  taxedPrice?: unknown;
  totalPrice: ImportMoney;
  slug: string;
  quantity: number;
  state?: ItemState[];
  taxCategory?: KeyReference;
  taxRate?: Record<string, unknown>;
  externalTaxRate?: unknown;
  discountedPricePerQuantity?: unknown[];
  shippingDetails?: { targets: unknown[] };
}

interface ShippingInfoImportDraft {
  shippingMethodName: string;
  price: ImportMoney;
  shippingRate: Record<string, unknown>;
  taxRate?: Record<string, unknown>;
  taxCategory?: KeyReference;
  shippingMethod?: KeyReference;
  deliveries?: Array<Record<string, unknown>>;
  discountedPrice?: unknown;
  shippingMethodState?: string;
}

export interface OrderImport {
  orderNumber: string;
  customer?: KeyReference;
  customerEmail?: string;
  lineItems?: LineItemImportDraft[];
  customLineItems?: CustomLineItemDraft[];
  totalPrice: ImportMoney;
  taxedPrice?: unknown;
  shippingAddress?: Record<string, unknown>;
  billingAddress?: Record<string, unknown>;
  customerGroup?: KeyReference;
  country?: string;
  orderState?: string;
  shipmentState?: string;
  paymentState?: string;
  shippingInfo?: ShippingInfoImportDraft;
  completedAt?: string;
  custom?: ImportCustom;
  inventoryMode?: string;
  taxRoundingMode?: string;
  taxCalculationMode?: string;
  origin?: string;
  itemShippingAddresses?: Array<Record<string, unknown>>;
  store?: KeyReference;
  state?: KeyReference;
}

/** What the line items' lookups found: the variants of their SKUs and variant keys, the products by id. */
export interface OrderLookups {
  variants: VariantRow[];
  products: ReadonlyMap<string, ProductInfo>;
}

/** Pure: the rejection of an orderNumber that exists. */
export const duplicateOrder = (resource: OrderImport): ApplyResult => ({
  state: 'rejected',
  errors: [duplicateField('orderNumber', resource.orderNumber, `An order with orderNumber '${resource.orderNumber}' already exists.`)],
});

/** The SKUs and the variant keys the line items name (what findVariantsBySkusOrKeys looks up). */
export function lineItemVariantNames(drafts: LineItemImportDraft[]): { skus: string[]; variantKeys: string[] } {
  return {
    skus: drafts.map((draft) => draft.variant.sku).filter((sku): sku is string => sku !== undefined),
    variantKeys: drafts.map((draft) => draft.variant.productVariant?.key).filter((key): key is string => key !== undefined),
  };
}

/** Pure: the ids of the products the line items are of (by product reference, else by their variant). */
export const lineItemProductIds = (scope: ResolvedScope, drafts: LineItemImportDraft[], variants: VariantRow[]): string[] => [
  ...new Set(matchLineItems(scope, drafts, variants, []).map((line) => line.productId).filter((id): id is string => id !== undefined)),
];

/**
 * Pure: the Order document from the import and what the lookups found, or validationFailed with the custom-field
 * errors followed by the line items' errors (a SKU that is not the named variant's, a variant of another product).
 */
export function decideOrder(resource: OrderImport, scope: ResolvedScope, customErrors: ErrorObject[], lookups: OrderLookups): { result: ApplyResult } | { data: Record<string, unknown> } {
  const errors = [...customErrors];
  const lines = matchLineItems(scope, resource.lineItems ?? [], lookups.variants, errors);
  if (errors.length > 0) return { result: { state: 'validationFailed', errors } };
  return { data: orderData(scope, resource, toLineItems(scope, lines, lookups.products)) };
}

/**
 * OrderImport → Order, create only: the orderNumber is the order's key, and importing an orderNumber that
 * exists is rejected. Line items resolve their product and variant (by product key, variant key or SKU).
 */
export const orderApplier: Applier<OrderImport> = {
  resourceType: 'order',
  references: (resource) => resolvableReferences(resource),
  async apply(resource: OrderImport, context: ApplyContext): Promise<ApplyResult> {
    if (await findByOrderNumber(context, resource.orderNumber)) return duplicateOrder(resource);
    const customErrors = await customFieldErrors(context, [
      ['order', resource.custom, 'custom'],
      ...(resource.lineItems ?? []).map((line, index): [string, ImportCustom | undefined, string] => ['line-item', line.custom, `lineItems.${index}.custom`]),
    ]);
    const drafts = resource.lineItems ?? [];
    const { skus, variantKeys } = lineItemVariantNames(drafts);
    const variants = await findVariantsBySkusOrKeys(context, skus, variantKeys);
    const products = await findProductInfosByIds(context, lineItemProductIds(context, drafts, variants));
    const decision = decideOrder(resource, context, customErrors, { variants, products });
    if ('result' in decision) return decision.result;
    const version = await insertOrder(context, resource.orderNumber, decision.data);
    // Another transaction created it meanwhile: retried, and then rejected as a duplicate.
    if (version === undefined) throw new Error(`order ${resource.orderNumber} was created concurrently`);
    context.created('order', resource.orderNumber);
    return { state: 'imported', resourceVersion: version };
  },
};

const resolve = <T>(context: ResolvedScope, value: T): T => resolveReferences(value, context.resolved) as T;

function price(context: ResolvedScope, linePrice: LineItemPrice): Record<string, unknown> {
  return compact({
    id: randomUUID(),
    value: toMoney(linePrice.value),
    country: linePrice.country,
    customerGroup: linePrice.customerGroup ? idReference(context, linePrice.customerGroup) : undefined,
    channel: linePrice.channel ? idReference(context, linePrice.channel) : undefined,
    validFrom: linePrice.validFrom,
    validUntil: linePrice.validUntil,
    discounted: linePrice.discounted ? normalizeMoney(resolve(context, linePrice.discounted)) : undefined,
    tiers: linePrice.tiers?.map((tier) => ({ minimumQuantity: tier.minimumQuantity, value: toMoney(tier.value) })),
    custom: customFields(context, linePrice.custom),
  });
}

const itemStates = (context: ResolvedScope, states: ItemState[] | undefined) =>
  (states ?? []).map((itemState) => ({ quantity: itemState.quantity, state: idReference(context, itemState.state) }));

function times(value: ImportMoney, quantity: number): Record<string, unknown> {
  const base = toMoney(value);
  return { type: 'centPrecision', currencyCode: base.currencyCode, centAmount: value.centAmount * quantity, fractionDigits: base.fractionDigits };
}

interface MatchedLine {
  draft: LineItemImportDraft;
  productId: string | undefined;
  variant: VariantRow | undefined;
}

/** Finds each line item's product and variant: by product key, variant key (`productVariant`) or SKU. */
function matchLineItems(scope: ResolvedScope, drafts: LineItemImportDraft[], variants: VariantRow[], errors: ErrorObject[]): MatchedLine[] {
  return drafts.map((draft, index) => {
    const field = `lineItems.${index}`;
    const productId = draft.product ? idReference(scope, draft.product).id : undefined;
    const byKey = draft.variant.productVariant ? variants.find((variant) => variant.key === draft.variant.productVariant?.key) : undefined;
    const bySku = draft.variant.sku !== undefined ? variants.find((variant) => variant.sku === draft.variant.sku) : undefined;
    if (byKey && bySku && (byKey.product_id !== bySku.product_id || byKey.variant_id !== bySku.variant_id)) {
      errors.push({ code: 'InvalidField', message: `The SKU '${draft.variant.sku}' is not the SKU of the variant '${byKey.key}'.`, field: `${field}.variant.sku`, invalidValue: draft.variant.sku });
    }
    const variant = byKey ?? bySku;
    if (variant && productId && variant.product_id !== productId) {
      errors.push({ code: 'InvalidField', message: `The variant is not a variant of the product '${draft.product?.key}'.`, field: `${field}.variant`, invalidValue: draft.variant });
    }
    return { draft, productId: productId ?? variant?.product_id, variant };
  });
}

/** The LineItems of the matched lines, with their products' keys and product types. */
function toLineItems(scope: ResolvedScope, lines: MatchedLine[], products: ReadonlyMap<string, ProductInfo>): Array<Record<string, unknown>> {
  return lines.map(({ draft, productId, variant }) => {
    const product = productId ? products.get(productId) : undefined;
    return compact({
      id: randomUUID(),
      productId,
      productKey: product?.key ?? undefined,
      name: draft.name,
      productType: product?.productType ?? undefined,
      variant: compact({
        id: variant?.variant_id ?? 1,
        sku: draft.variant.sku ?? variant?.sku ?? undefined,
        key: variant?.key ?? draft.variant.productVariant?.key,
        prices: (draft.variant.prices ?? []).map((variantPrice) => price(scope, variantPrice)),
        attributes: (draft.variant.attributes ?? []).map((attribute) => ({ name: attribute.name, value: normalizeMoney(resolve(scope, attribute.value)) })),
        images: draft.variant.images ?? [],
        assets: [],
      }),
      price: price(scope, draft.price),
      quantity: draft.quantity,
      totalPrice: times(draft.price.value, draft.quantity),
      discountedPricePerQuantity: [],
      taxedPricePortions: [],
      state: itemStates(scope, draft.state),
      supplyChannel: draft.supplyChannel ? idReference(scope, draft.supplyChannel) : undefined,
      distributionChannel: draft.distributionChannel ? idReference(scope, draft.distributionChannel) : undefined,
      taxRate: draft.taxRate,
      perMethodTaxRate: [],
      priceMode: 'Platform',
      lineItemMode: 'Standard',
      shippingDetails: draft.shippingDetails ? { ...draft.shippingDetails, valid: true } : undefined,
      custom: customFields(scope, draft.custom),
    });
  });
}

function customLineItem(context: ResolvedScope, draft: CustomLineItemDraft): Record<string, unknown> {
  return compact({
    id: randomUUID(),
    name: draft.name,
    money: toMoney(draft.money),
    taxedPrice: draft.taxedPrice ? normalizeMoney(draft.taxedPrice) : undefined,
    totalPrice: toMoney(draft.totalPrice),
    slug: draft.slug,
    quantity: draft.quantity,
    state: itemStates(context, draft.state),
    taxCategory: draft.taxCategory ? idReference(context, draft.taxCategory) : undefined,
    taxRate: draft.taxRate,
    externalTaxRate: draft.externalTaxRate,
    discountedPricePerQuantity: normalizeMoney(resolve(context, draft.discountedPricePerQuantity ?? [])),
    perMethodTaxRate: [],
    taxedPricePortions: [],
    priceMode: 'Standard',
    shippingDetails: draft.shippingDetails ? { ...draft.shippingDetails, valid: true } : undefined,
  });
}

function shippingInfo(context: ResolvedScope, draft: ShippingInfoImportDraft): Record<string, unknown> {
  return compact({
    shippingMethodName: draft.shippingMethodName,
    price: toMoney(draft.price),
    shippingRate: normalizeMoney(draft.shippingRate),
    taxRate: draft.taxRate,
    taxCategory: draft.taxCategory ? idReference(context, draft.taxCategory) : undefined,
    shippingMethod: draft.shippingMethod ? idReference(context, draft.shippingMethod) : undefined,
    deliveries: (draft.deliveries ?? []).map((delivery) => normalizeMoney(resolve(context, delivery))),
    discountedPrice: draft.discountedPrice ? normalizeMoney(resolve(context, draft.discountedPrice)) : undefined,
    shippingMethodState: draft.shippingMethodState ?? 'MatchesCart',
  });
}

function orderData(context: ResolvedScope, resource: OrderImport, lineItems: Array<Record<string, unknown>>): Record<string, unknown> {
  return compact({
    orderNumber: resource.orderNumber,
    customerId: resource.customer ? idReference(context, resource.customer).id : undefined,
    customerEmail: resource.customerEmail,
    customerGroup: resource.customerGroup ? idReference(context, resource.customerGroup) : undefined,
    store: resource.store ? storeKeyReference(resource.store) : undefined,
    lineItems,
    customLineItems: (resource.customLineItems ?? []).map((draft) => customLineItem(context, draft)),
    totalPrice: toMoney(resource.totalPrice),
    taxedPrice: resource.taxedPrice ? normalizeMoney(resource.taxedPrice) : undefined,
    shippingAddress: resource.shippingAddress,
    billingAddress: resource.billingAddress,
    country: resource.country,
    orderState: resource.orderState ?? 'Open',
    shipmentState: resource.shipmentState,
    paymentState: resource.paymentState,
    state: resource.state ? idReference(context, resource.state) : undefined,
    shippingInfo: resource.shippingInfo ? shippingInfo(context, resource.shippingInfo) : undefined,
    shippingMode: 'Single',
    shipping: [],
    completedAt: resource.completedAt,
    custom: customFields(context, resource.custom),
    inventoryMode: resource.inventoryMode ?? 'None',
    taxMode: 'Platform',
    taxRoundingMode: resource.taxRoundingMode ?? 'HalfEven',
    taxCalculationMode: resource.taxCalculationMode ?? 'LineItemLevel',
    origin: resource.origin ?? 'Customer',
    itemShippingAddresses: resource.itemShippingAddresses ?? [],
    syncInfo: [],
    returnInfo: [],
    discountCodes: [],
    refusedGifts: [],
  });
}
