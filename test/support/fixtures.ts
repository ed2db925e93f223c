import * as fs from 'node:fs';
import * as path from 'node:path';

const EXAMPLES = path.join(__dirname, '..', 'fixtures', 'ct-examples');

/** commercetools' own example bodies (MIT), copied into the project so tests run without ../shared. */
export function ctExample<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(EXAMPLES, name), 'utf8')) as T;
}

/** The official example import request of each resource path. */
export const EXAMPLE_REQUESTS: Record<string, string> = {
  'business-units': 'business-units-import-request.json',
  categories: 'category-import-request.json',
  customers: 'customer-import-request.json',
  'discount-codes': 'discount-code-import-request.json',
  inventories: 'inventory-import-request.json',
  orders: 'order-import-request.json',
  'order-patches': 'order-patch-import-request.json',
  prices: 'price-import-request.json',
  'product-drafts': 'product-draft-import-request.json',
  'product-selections': 'product-selection-import-request.json',
  'product-tailorings': 'product-tailoring-import-request.json',
  'product-types': 'product-type-import-request.json',
  'product-variants': 'product-variant-import-request.json',
  'product-variant-patches': 'product-variant-patch-request.json',
  products: 'product-import-request.json',
  'standalone-prices': 'standalone-price-import-request.json',
  types: 'type-import-request.json',
  variants: 'variants-import-request.json',
};

let counter = 0;
/** A valid product-draft import resource of ~1.5 KB. */
export function productDraft(key = `product-${++counter}`): Record<string, unknown> {
  return {
    key,
    name: { en: `Product ${key}`, de: `Produkt ${key}` },
    productType: { typeId: 'product-type', key: 'default-type' },
    slug: { en: `product-${key}`, de: `produkt-${key}` },
    description: { en: 'A fine product for the benchmark and the tests, with a description long enough to matter.' },
    categories: [{ typeId: 'category', key: 'root' }],
    masterVariant: {
      sku: `sku-${key}`,
      key: `variant-${key}`,
      prices: [{ key: `price-${key}`, value: { type: 'centPrecision', currencyCode: 'EUR', centAmount: 1999 } }],
      attributes: [
        { name: 'color', type: 'text', value: 'red' },
        { name: 'size', type: 'number', value: 42 },
      ],
    },
    publish: true,
  };
}
