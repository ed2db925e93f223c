import { OrderImport, decideOrder, duplicateOrder, lineItemProductIds, lineItemVariantNames } from './order.applier';

const SHIRT = '33333333-3333-4333-8333-333333333333';
const SOCKS = '44444444-4444-4444-8444-444444444444';
const scope = { resolved: new Map([['product:shirt', SHIRT], ['product:socks', SOCKS]]) };
const eur = (centAmount: number) => ({ type: 'centPrecision' as const, currencyCode: 'EUR', centAmount });
const variants = [
  { product_id: SHIRT, variant_id: 2, key: 'shirt-m', sku: 'SHIRT-M' },
  { product_id: SOCKS, variant_id: 1, key: 'socks-1', sku: 'SOCKS-1' },
];
const products = new Map([[SHIRT, { key: 'shirt', productType: { typeId: 'product-type', id: 'pt-1' } }]]);
const order = (lineItems: OrderImport['lineItems'], extra: Partial<OrderImport> = {}): OrderImport => ({ orderNumber: 'o-1', totalPrice: eur(3000), lineItems, ...extra });
const line = (variant: { sku?: string; productVariant?: { typeId: 'product-variant'; key: string } }, product?: string) => ({
  ...(product ? { product: { typeId: 'product' as const, key: product } } : {}),
  name: { en: 'Shirt' },
  variant,
  price: { value: eur(1500) },
  quantity: 2,
});

describe('order decisions (pure)', () => {
  it('an existing orderNumber is rejected as DuplicateField on orderNumber', () => {
    expect(duplicateOrder(order([]))).toEqual({
      state: 'rejected',
      errors: [{ code: 'DuplicateField', message: "An order with orderNumber 'o-1' already exists.", field: 'orderNumber', duplicateValue: 'o-1' }],
    });
  });

  it('looks up the SKUs and variant keys the line items name, and the products they are of', () => {
    const drafts = [line({ sku: 'SHIRT-M' }), line({ productVariant: { typeId: 'product-variant', key: 'socks-1' } }), line({ sku: 'SHIRT-M' }, 'shirt')];
    expect(lineItemVariantNames(drafts)).toEqual({ skus: ['SHIRT-M', 'SHIRT-M'], variantKeys: ['socks-1'] });
    expect(lineItemProductIds(scope, drafts, variants)).toEqual([SHIRT, SOCKS]);
  });

  it('builds line items from the variant found by SKU: product, product type, variant id, total price', () => {
    const decision = decideOrder(order([line({ sku: 'SHIRT-M' })]), scope, [], { variants, products });
    if (!('data' in decision)) throw new Error('expected a document');
    const [item] = decision.data.lineItems as Array<Record<string, unknown>>;
    expect(item).toMatchObject({
      productId: SHIRT,
      productKey: 'shirt',
      productType: { typeId: 'product-type', id: 'pt-1' },
      variant: { id: 2, sku: 'SHIRT-M', key: 'shirt-m', prices: [], images: [], assets: [] },
      quantity: 2,
      totalPrice: { type: 'centPrecision', currencyCode: 'EUR', centAmount: 3000, fractionDigits: 2 },
      priceMode: 'Platform',
      lineItemMode: 'Standard',
    });
    expect(decision.data).toMatchObject({ orderNumber: 'o-1', orderState: 'Open', inventoryMode: 'None', origin: 'Customer', totalPrice: { centAmount: 3000, fractionDigits: 2 } });
  });

  it('a line item whose variant is not found keeps its SKU and variant 1', () => {
    const decision = decideOrder(order([line({ sku: 'GONE' })]), scope, [], { variants, products });
    if (!('data' in decision)) throw new Error('expected a document');
    expect((decision.data.lineItems as Array<Record<string, unknown>>)[0]).toMatchObject({ variant: { id: 1, sku: 'GONE' } });
    expect((decision.data.lineItems as Array<Record<string, unknown>>)[0]).not.toHaveProperty('productId');
  });

  it('fails validation when the SKU is not the named variant’s, or the variant is of another product', () => {
    const mismatch = decideOrder(order([line({ sku: 'SOCKS-1', productVariant: { typeId: 'product-variant', key: 'shirt-m' } })]), scope, [], { variants, products });
    expect(mismatch).toEqual({
      result: {
        state: 'validationFailed',
        errors: [{ code: 'InvalidField', message: "The SKU 'SOCKS-1' is not the SKU of the variant 'shirt-m'.", field: 'lineItems.0.variant.sku', invalidValue: 'SOCKS-1' }],
      },
    });
    const otherProduct = decideOrder(order([line({ sku: 'SOCKS-1' }, 'shirt')]), scope, [], { variants, products });
    expect(otherProduct).toEqual({
      result: {
        state: 'validationFailed',
        errors: [{ code: 'InvalidField', message: "The variant is not a variant of the product 'shirt'.", field: 'lineItems.0.variant', invalidValue: { sku: 'SOCKS-1' } }],
      },
    });
  });

  it('custom-field errors come first, then the line items’ errors', () => {
    const customError = { code: 'InvalidField', message: 'bad custom field', field: 'custom.fields.x' };
    const decision = decideOrder(order([line({ sku: 'SHIRT-M' }), line({ sku: 'SOCKS-1' }, 'shirt')]), scope, [customError], { variants, products });
    expect(decision).toMatchObject({ result: { state: 'validationFailed', errors: [customError, { code: 'InvalidField', field: 'lineItems.1.variant' }] } });
    expect((decision as { result: { errors: unknown[] } }).result.errors).toHaveLength(2);
  });
});
