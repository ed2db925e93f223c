'use strict';
/**
 * A mixed catalog for the bench's "drain, mixed catalog" scenario, as an integrator migrating a shop
 * would send it: product types, a category tree, product drafts with variants and embedded prices,
 * extra prices per variant, stock, standalone prices, customers and their orders.
 *
 * `mixedCatalog(products)` returns the import requests in the order they are posted (`steps`: one per
 * resource type, posted one step after another, requests of at most 20 resources) and the number of
 * resources per type. Deterministic: the same `products` gives the same bodies. Every body is valid and
 * every reference resolves once the whole catalog is in, so every operation must end `imported`.
 *
 * Per product (P): 1 product draft with 2–4 variants (3 on average), each with an embedded EUR price;
 * 1 `price` (USD, on the master variant, by variant key); 1 inventory entry per variant (by SKU);
 * P/2 standalone prices (CHF, by SKU); P/2 customers (1 in 5 with a password, which the importer hashes
 * with scrypt; the others ExternalAuth); P/2 orders of 1–3 line items (variants by key and SKU) placed by
 * those customers. Categories: a tree 3 levels deep (root → 3 → 4 each), about 0.1 P; in 1 subtree of
 * every 4 the children are posted BEFORE their parents, so they wait (`unresolved`) and are woken when
 * the parent arrives — and so do the products filed under them, their prices and the orders of them.
 * About 6.6 P operations in all (P = 450 ≈ 3k, P = 7500 ≈ 50k).
 */

const REQUEST_SIZE = 20;
const PREFIX = 'mx';

const money = (currencyCode, centAmount) => ({ type: 'centPrecision', currencyCode, centAmount });

/** mulberry32: a small seeded PRNG, so that a run is reproducible. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const enumType = (keys) => ({ name: 'enum', values: keys.map((key) => ({ key, label: key[0].toUpperCase() + key.slice(1) })) });
const attribute = (name, type, extra = {}) => ({ name, type, label: { en: name[0].toUpperCase() + name.slice(1), de: name }, isRequired: false, isSearchable: true, ...extra });

const COLORS = ['red', 'blue', 'green', 'black'];
const SIZES = ['XS', 'S', 'M', 'L', 'XL'];
const MATERIALS = ['oak', 'pine', 'steel', 'glass'];
const FORMATS = ['hardcover', 'paperback', 'ebook', 'audio'];

/** Four product types with attributes of several kinds and constraints; `variantAttributes(i, v)` builds valid values. */
const PRODUCT_TYPES = [
  {
    type: {
      key: `${PREFIX}-apparel`,
      name: 'Apparel',
      description: 'Things to wear',
      attributes: [
        attribute('color', enumType(COLORS), { isRequired: true, attributeConstraint: 'CombinationUnique' }),
        attribute('size', { name: 'text' }, { attributeConstraint: 'CombinationUnique' }),
        attribute('care', { name: 'ltext' }),
      ],
    },
    variantAttributes: (i, v) => [
      { name: 'color', type: 'enum', value: COLORS[i % COLORS.length] },
      { name: 'size', type: 'text', value: SIZES[v] },
      { name: 'care', type: 'ltext', value: { en: 'Machine wash at 30°C', de: 'Maschinenwäsche bei 30°C' } },
    ],
  },
  {
    type: {
      key: `${PREFIX}-electronics`,
      name: 'Electronics',
      description: 'Things to plug in',
      attributes: [
        attribute('brand', { name: 'text' }, { isRequired: true, attributeConstraint: 'SameForAll' }),
        attribute('watts', { name: 'number' }),
        attribute('color', enumType(COLORS)),
        attribute('wireless', { name: 'boolean' }),
      ],
    },
    variantAttributes: (i, v) => [
      { name: 'brand', type: 'text', value: `Brand ${i % 17}` },
      { name: 'watts', type: 'number', value: 20 + 10 * v },
      { name: 'color', type: 'enum', value: COLORS[v % COLORS.length] },
      { name: 'wireless', type: 'boolean', value: v % 2 === 0 },
    ],
  },
  {
    type: {
      key: `${PREFIX}-furniture`,
      name: 'Furniture',
      description: 'Things to sit on',
      attributes: [attribute('material', enumType(MATERIALS)), attribute('width', { name: 'number' }), attribute('height', { name: 'number' }), attribute('tags', { name: 'set', elementType: { name: 'text' } })],
    },
    variantAttributes: (i, v) => [
      { name: 'material', type: 'enum', value: MATERIALS[v % MATERIALS.length] },
      { name: 'width', type: 'number', value: 40 + 10 * v },
      { name: 'height', type: 'number', value: 80 + (i % 40) },
      { name: 'tags', type: 'text-set', value: ['indoor', v % 2 === 0 ? 'flat-pack' : 'assembled'] },
    ],
  },
  {
    type: {
      key: `${PREFIX}-books`,
      name: 'Books',
      description: 'Things to read',
      attributes: [
        attribute('author', { name: 'text' }, { isRequired: true, attributeConstraint: 'SameForAll' }),
        attribute('format', enumType(FORMATS), { attributeConstraint: 'Unique' }),
        attribute('pages', { name: 'number' }),
      ],
    },
    // `format` is Unique among a product's variants: one format per variant (at most 4 variants).
    variantAttributes: (i, v) => [
      { name: 'author', type: 'text', value: `Author ${i % 31}` },
      { name: 'format', type: 'enum', value: FORMATS[v] },
      { name: 'pages', type: 'number', value: 100 + (i % 400) },
    ],
  },
];

/** The category tree: `roots` roots with 3 children each, each with 4 children. Returns the resources in post order and the leaf keys. */
function categoryTree(roots) {
  const ordered = [];
  const leaves = [];
  const category = (key, name, parent, orderHint) => ({
    key,
    name: { en: name, de: `${name} (de)` },
    slug: { en: key, de: `${key}-de` },
    description: { en: `All about ${name}` },
    orderHint,
    ...(parent ? { parent: { typeId: 'category', key: parent } } : {}),
  });
  for (let r = 0; r < roots; r++) {
    const rootKey = `${PREFIX}-cat-${r}`;
    const subtree = [category(rootKey, `Department ${r}`, undefined, `0.${r + 1}`)];
    for (let m = 0; m < 3; m++) {
      const middleKey = `${rootKey}-${m}`;
      subtree.push(category(middleKey, `Department ${r} section ${m}`, rootKey, `0.${m + 1}`));
      for (let l = 0; l < 4; l++) {
        const leafKey = `${middleKey}-${l}`;
        subtree.push(category(leafKey, `Department ${r} section ${m} shelf ${l}`, middleKey, `0.${l + 1}`));
        leaves.push(leafKey);
      }
    }
    // One subtree in four arrives children first: leaves, then their parents, then the root.
    if (r % 4 === 1) subtree.reverse();
    ordered.push(...subtree);
  }
  return { ordered, leaves };
}

function chunk(path, type, resources) {
  const requests = [];
  for (let i = 0; i < resources.length; i += REQUEST_SIZE) requests.push({ path, type, resources: resources.slice(i, i + REQUEST_SIZE) });
  return requests;
}

/** The mixed catalog for `products` products (see the module comment). */
function mixedCatalog(products) {
  const rand = random(13);
  const roots = Math.max(2, Math.round((0.1 * products) / 16));
  const { ordered: categories, leaves } = categoryTree(roots);

  const drafts = [];
  const prices = [];
  const inventories = [];
  const standalonePrices = [];
  const variantsByProduct = [];
  for (let i = 0; i < products; i++) {
    const productType = PRODUCT_TYPES[i % PRODUCT_TYPES.length];
    const key = `${PREFIX}-p-${i}`;
    const variantCount = 2 + (i % 3);
    const variants = Array.from({ length: variantCount }, (_, v) => {
      const sku = `${PREFIX}-sku-${i}-${v}`;
      return {
        key: `${PREFIX}-v-${i}-${v}`,
        sku,
        prices: [{ key: `${PREFIX}-eur-${i}-${v}`, value: money('EUR', 999 + 100 * v + (i % 50) * 10), country: 'DE' }],
        attributes: productType.variantAttributes(i, v),
        images: v === 0 ? [{ url: `https://images.example.com/${sku}.jpg`, dimensions: { w: 800, h: 800 }, label: 'Front' }] : [],
      };
    });
    variantsByProduct.push(variants);
    const category = leaves[Math.floor(rand() * leaves.length)];
    drafts.push({
      key,
      name: { en: `Product ${i}`, de: `Produkt ${i}` },
      productType: { typeId: 'product-type', key: productType.type.key },
      slug: { en: `${PREFIX}-product-${i}`, de: `${PREFIX}-produkt-${i}` },
      description: { en: `Product ${i}, filed under ${category}, with ${variantCount} variants.` },
      categories: [{ typeId: 'category', key: category }],
      metaTitle: { en: `Product ${i}` },
      masterVariant: variants[0],
      variants: variants.slice(1),
      publish: i % 5 !== 0,
    });
    prices.push({
      key: `${PREFIX}-usd-${i}`,
      value: money('USD', 1099 + (i % 50) * 10),
      country: 'US',
      productVariant: { typeId: 'product-variant', key: variants[0].key },
      product: { typeId: 'product', key },
    });
    for (const variant of variants) {
      inventories.push({ key: `${PREFIX}-inv-${variant.sku}`, sku: variant.sku, quantityOnStock: Math.floor(rand() * 500), restockableInDays: 1 + (i % 14) });
    }
    if (i % 2 === 0) {
      standalonePrices.push({
        key: `${PREFIX}-sp-${i}`,
        sku: variants[0].sku,
        value: money('CHF', 1199 + (i % 50) * 10),
        country: 'CH',
        validFrom: '2026-01-01T00:00:00.000Z',
        ...(i % 4 === 0 ? { tiers: [{ minimumQuantity: 10, value: money('CHF', 999) }] } : {}),
      });
    }
  }

  const customerCount = Math.floor(products / 2);
  const customers = [];
  for (let c = 0; c < customerCount; c++) {
    const key = `${PREFIX}-cust-${c}`;
    const addresses = [{ key: `${key}-home`, firstName: 'Jane', lastName: `Doe ${c}`, streetName: 'Main Street', streetNumber: String(1 + (c % 200)), postalCode: String(10000 + c), city: 'Berlin', country: 'DE' }];
    if (c % 3 === 0) addresses.push({ key: `${key}-office`, company: `Company ${c}`, streetName: 'Work Street', city: 'Munich', country: 'DE' });
    customers.push({
      key,
      customerNumber: `MX-C-${c}`,
      email: `${key}@example.com`,
      firstName: 'Jane',
      lastName: `Doe ${c}`,
      // Passwords are hashed (scrypt) on import; shops migrating customers mostly cannot export them.
      ...(c % 5 === 0 ? { password: `S3cret!${c}` } : { authenticationMode: 'ExternalAuth' }),
      addresses,
      defaultShippingAddress: 0,
      billingAddresses: [addresses.length - 1],
      isEmailVerified: c % 2 === 0,
    });
  }

  const orders = [];
  for (let o = 0; o < customerCount; o++) {
    const customer = customers[o];
    const lineCount = 1 + (o % 3);
    const lineItems = [];
    let total = 0;
    for (let l = 0; l < lineCount; l++) {
      const p = Math.floor(rand() * products);
      const variants = variantsByProduct[p];
      const variant = variants[Math.floor(rand() * variants.length)];
      const quantity = 1 + (l % 2);
      const unit = variant.prices[0].value.centAmount;
      total += unit * quantity;
      lineItems.push({ name: { en: `Product ${p}` }, quantity, price: { value: money('EUR', unit) }, variant: { productVariant: { typeId: 'product-variant', key: variant.key }, sku: variant.sku } });
    }
    const giftWrap = o % 4 === 0;
    if (giftWrap) total += 300;
    orders.push({
      orderNumber: `${PREFIX}-ord-${o}`,
      customer: { typeId: 'customer', key: customer.key },
      customerEmail: customer.email,
      lineItems,
      ...(giftWrap ? { customLineItems: [{ name: { en: 'Gift wrap' }, money: money('EUR', 300), totalPrice: money('EUR', 300), slug: 'gift-wrap', quantity: 1 }] } : {}),
      totalPrice: money('EUR', total),
      shippingAddress: { country: 'DE', city: 'Berlin', streetName: 'Main Street', postalCode: String(10000 + o) },
      billingAddress: { country: 'DE', city: 'Berlin' },
      shippingInfo: { shippingMethodName: 'Standard', price: money('EUR', 0), shippingRate: { price: money('EUR', 0) } },
      orderState: o % 3 === 0 ? 'Complete' : 'Confirmed',
      paymentState: 'Paid',
      shipmentState: o % 3 === 0 ? 'Shipped' : 'Pending',
      completedAt: '2026-06-01T12:00:00.000Z',
    });
  }

  const steps = [
    { type: 'product-type', requests: chunk('product-types', 'product-type', PRODUCT_TYPES.map((entry) => entry.type)) },
    { type: 'category', requests: chunk('categories', 'category', categories) },
    { type: 'product-draft', requests: chunk('product-drafts', 'product-draft', drafts) },
    { type: 'price', requests: chunk('prices', 'price', prices) },
    { type: 'inventory', requests: chunk('inventories', 'inventory', inventories) },
    { type: 'standalone-price', requests: chunk('standalone-prices', 'standalone-price', standalonePrices) },
    { type: 'customer', requests: chunk('customers', 'customer', customers) },
    { type: 'order', requests: chunk('orders', 'order', orders) },
  ];
  const counts = Object.fromEntries(steps.map((step) => [step.type, step.requests.reduce((sum, request) => sum + request.resources.length, 0)]));
  return { steps, counts, total: Object.values(counts).reduce((a, b) => a + b, 0), categoryRoots: roots, childrenFirstSubtrees: Math.floor((roots + 2) / 4) };
}

/** The number of products giving about `operations` operations in all. */
const productsFor = (operations) => Math.max(8, Math.round(operations / 6.6));

module.exports = { mixedCatalog, productsFor, REQUEST_SIZE };
