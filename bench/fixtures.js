'use strict';

/** A product-draft import resource of ~1.5 KB, the same shape as productDraft() in test/support/fixtures.ts. */
function productDraft(key) {
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

/** Keys of batch `index` (0-based) of `size` resources under `prefix`. */
function batchKeys(prefix, index, size, total) {
  const keys = [];
  for (let i = index * size; i < Math.min((index + 1) * size, total); i++) keys.push(`${prefix}-${i}`);
  return keys;
}

const PRODUCT_TYPE_REQUEST = {
  type: 'product-type',
  resources: [
    {
      key: 'default-type',
      name: 'Default',
      description: 'd',
      attributes: [
        { type: { name: 'text' }, name: 'color', label: { en: 'Color' }, isRequired: false, isSearchable: true },
        { type: { name: 'number' }, name: 'size', label: { en: 'Size' }, isRequired: false, isSearchable: true },
      ],
    },
  ],
};

const CATEGORY_REQUEST = { type: 'category', resources: [{ key: 'root', name: { en: 'Root' }, slug: { en: 'root' } }] };

module.exports = { productDraft, batchKeys, PRODUCT_TYPE_REQUEST, CATEGORY_REQUEST };
