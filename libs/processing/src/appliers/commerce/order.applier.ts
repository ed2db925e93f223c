import { randomUUID } from 'node:crypto';
import { ErrorObject } from '../../../../common/src';
import { Applier, ApplyContext, ApplyResult } from '../../applier';
import { KeyReference } from '../../../../catalog/src/references';
import { ImportCustom, customFieldErrors, customFields, duplicateField, idReference, normalizeMoney, resolvableReferences, storeKeyReference } from '../../../../catalog/src/customers/commerce-support';
import { findByKey } from '../../../../catalog/src/documents';
import { ImportAttribute, ImportMoney, LocalizedString, compact, resolveReferences, toMoney } from '../../../../catalog/src/products/product-model';
import { ORDERS_TABLE } from '../../../../catalog/src/tables';

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

interface VariantRow {
  product_id: string;
  variant_id: number;
  key: string | null;
  sku: string | null;
}

interface ProductInfo {
  key: string | null;
  productType: unknown;
}

/**
 * OrderImport → Order, create only: the orderNumber is the order's key, and importing an orderNumber that
 * exists is rejected. Line items resolve their product and variant (by product key, variant key or SKU).
 */
export const orderApplier: Applier<OrderImport> = {
  resourceType: 'order',
  references: (resource) => resolvableReferences(resource),
  async apply(resource: OrderImport, context: ApplyContext): Promise<ApplyResult> {
    if (await findByKey(context.manager, ORDERS_TABLE, context.projectKey, resource.orderNumber)) {
      return { state: 'rejected', errors: [duplicateField('orderNumber', resource.orderNumber, `An order with orderNumber '${resource.orderNumber}' already exists.`)] };
    }
    const errors: ErrorObject[] = await customFieldErrors(context, [
      ['order', resource.custom, 'custom'],
      ...(resource.lineItems ?? []).map((line, index): [string, ImportCustom | undefined, string] => ['line-item', line.custom, `lineItems.${index}.custom`]),
    ]);
    const lineItems = await toLineItems(context, resource.lineItems ?? [], errors);
    if (errors.length > 0) return { state: 'validationFailed', errors };
    const data = orderData(context, resource, lineItems);
    const rows = (await context.manager.query(
      `INSERT INTO ${ORDERS_TABLE} (project_key, key, data) VALUES ($1, $2, $3) ON CONFLICT (project_key, key) DO NOTHING RETURNING version`,
      [context.projectKey, resource.orderNumber, JSON.stringify(data)],
    )) as Array<{ version: number }>;
    // Another transaction created it meanwhile: retried, and then rejected as a duplicate.
    if (rows.length === 0) throw new Error(`order ${resource.orderNumber} was created concurrently`);
    context.created('order', resource.orderNumber);
    return { state: 'imported', resourceVersion: rows[0].version };
  },
};

const resolve = <T>(context: ApplyContext, value: T): T => resolveReferences(value, context.resolved) as T;

function price(context: ApplyContext, linePrice: LineItemPrice): Record<string, unknown> {
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

const itemStates = (context: ApplyContext, states: ItemState[] | undefined) =>
  (states ?? []).map((itemState) => ({ quantity: itemState.quantity, state: idReference(context, itemState.state) }));

function times(value: ImportMoney, quantity: number): Record<string, unknown> {
  const base = toMoney(value);
  return { type: 'centPrecision', currencyCode: base.currencyCode, centAmount: value.centAmount * quantity, fractionDigits: base.fractionDigits };
}

/** Finds each line item's product and variant: by product key, variant key (`productVariant`) or SKU. */
async function toLineItems(context: ApplyContext, drafts: LineItemImportDraft[], errors: ErrorObject[]): Promise<Array<Record<string, unknown>>> {
  const skus = drafts.map((draft) => draft.variant.sku).filter((sku): sku is string => sku !== undefined);
  const variantKeys = drafts.map((draft) => draft.variant.productVariant?.key).filter((key): key is string => key !== undefined);
  const variants =
    skus.length + variantKeys.length === 0
      ? []
      : ((await context.manager.query(`SELECT product_id, variant_id, key, sku FROM product_variants WHERE project_key = $1 AND (sku = ANY($2::text[]) OR key = ANY($3::text[]))`, [
          context.projectKey,
          skus,
          variantKeys,
        ])) as VariantRow[]);
  const lines = drafts.map((draft, index) => {
    const field = `lineItems.${index}`;
    const productId = draft.product ? idReference(context, draft.product).id : undefined;
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
  const productIds = [...new Set(lines.map((line) => line.productId).filter((id): id is string => id !== undefined))];
  const products = new Map<string, ProductInfo>();
  if (productIds.length > 0) {
    const rows = (await context.manager.query(`SELECT id, key, data->'productType' AS product_type FROM products WHERE project_key = $1 AND id = ANY($2::uuid[])`, [
      context.projectKey,
      productIds,
    ])) as Array<{ id: string; key: string | null; product_type: unknown }>;
    for (const row of rows) products.set(row.id, { key: row.key, productType: row.product_type });
  }
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
        prices: (draft.variant.prices ?? []).map((variantPrice) => price(context, variantPrice)),
        attributes: (draft.variant.attributes ?? []).map((attribute) => ({ name: attribute.name, value: normalizeMoney(resolve(context, attribute.value)) })),
        images: draft.variant.images ?? [],
        assets: [],
      }),
      price: price(context, draft.price),
      quantity: draft.quantity,
      totalPrice: times(draft.price.value, draft.quantity),
      discountedPricePerQuantity: [],
      taxedPricePortions: [],
      state: itemStates(context, draft.state),
      supplyChannel: draft.supplyChannel ? idReference(context, draft.supplyChannel) : undefined,
      distributionChannel: draft.distributionChannel ? idReference(context, draft.distributionChannel) : undefined,
      taxRate: draft.taxRate,
      perMethodTaxRate: [],
      priceMode: 'Platform',
      lineItemMode: 'Standard',
      shippingDetails: draft.shippingDetails ? { ...draft.shippingDetails, valid: true } : undefined,
      custom: customFields(context, draft.custom),
    });
  });
}

function customLineItem(context: ApplyContext, draft: CustomLineItemDraft): Record<string, unknown> {
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

function shippingInfo(context: ApplyContext, draft: ShippingInfoImportDraft): Record<string, unknown> {
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

function orderData(context: ApplyContext, resource: OrderImport, lineItems: Array<Record<string, unknown>>): Record<string, unknown> {
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
