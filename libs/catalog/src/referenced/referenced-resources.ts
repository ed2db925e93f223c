/**
 * Resources that imports reference but the Import API cannot create (channels, tax categories, …). Each one is a
 * row of this table: where it lives, how it is addressed and authorized, and a small JSON Schema of its draft. One
 * generic service, one generic controller and the seed command all read from here; adding a type is one entry.
 */

/** A JSON Schema fragment (validated and compiled once with ajv, see draft-validation.ts). */
export type JsonSchema = Record<string, unknown>;

/** A reference inside a draft that is given by key or id and stored as `{typeId, id}`, as commercetools does. */
export interface DraftReference {
  /** Dotted path inside the draft; `[]` walks an array, e.g. `zoneRates[].zone`. */
  path: string;
  typeId: string;
}

export interface ReferencedResourceDefinition {
  /** URL segment, e.g. `tax-categories`. */
  path: string;
  table: string;
  /** commercetools reference typeId, e.g. `tax-category`. */
  typeId: string;
  /** commercetools resource name, e.g. `TaxCategory` (messages, controller names). */
  name: string;
  /** Property of the seed file holding drafts of this type, e.g. `taxCategories`. */
  seedField: string;
  /** Scopes that allow creating. */
  manageScopes: string[];
  /** Scopes that allow reading (manage scopes included). */
  readScopes: string[];
  /** Schema of the draft; `key` is added to every one (required, 2..256 chars of [A-Za-z0-9_-]). */
  draft: JsonSchema;
  /** References resolved to `{typeId, id}` before storing. */
  references?: DraftReference[];
  /** Fields the server sets on every new resource of the type (a draft cannot override them). */
  serverFields?: () => Record<string, unknown>;
  /** Final touch on the stored data (e.g. ids commercetools gives to embedded objects). */
  finalize?: (data: Record<string, unknown>) => Record<string, unknown>;
}

export const KEY_SCHEMA: JsonSchema = { type: 'string', minLength: 2, maxLength: 256, pattern: '^[A-Za-z0-9_-]+$' };

const localizedString: JsonSchema = { type: 'object', additionalProperties: { type: 'string' }, propertyNames: { pattern: '^[a-z]{2}(-[A-Z]{2})?$' } };
const nonEmptyString: JsonSchema = { type: 'string', minLength: 1 };
const country: JsonSchema = { type: 'string', pattern: '^[A-Z]{2}$' };
const language: JsonSchema = { type: 'string', pattern: '^[a-z]{2}(-[A-Z]{2})?$' };
/** `{typeId, key}` or `{typeId, id}` of the given typeId. */
const referenceTo = (typeId: string): JsonSchema => ({
  type: 'object',
  required: ['typeId'],
  properties: { typeId: { type: 'string', enum: [typeId] }, key: KEY_SCHEMA, id: { type: 'string', pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' } },
  anyOf: [{ required: ['key'] }, { required: ['id'] }],
});
const money: JsonSchema = {
  type: 'object',
  required: ['currencyCode', 'centAmount'],
  properties: { currencyCode: { type: 'string', pattern: '^[A-Z]{3}$' }, centAmount: { type: 'integer' }, type: { type: 'string' }, fractionDigits: { type: 'integer' } },
};

/** Only the listed properties are kept; anything else in a draft is dropped (ajv `removeAdditional`). */
const draftObject = (required: string[], properties: Record<string, JsonSchema>): JsonSchema => ({
  type: 'object',
  required,
  properties,
  additionalProperties: false,
});

const CHANNEL_ROLES = ['InventorySupply', 'ProductDistribution', 'OrderExport', 'OrderImport', 'Primary'];
const STATE_TYPES = ['OrderState', 'LineItemState', 'ProductState', 'ReviewState', 'PaymentState', 'QuoteRequestState', 'StagedQuoteState', 'QuoteState'];

const randomId = (): string => Math.random().toString(36).slice(2, 10);

/** In dependency order: the seed command creates tax categories and zones before the shipping methods using them. */
export const REFERENCED_RESOURCES: ReferencedResourceDefinition[] = [
  {
    path: 'channels',
    table: 'channels',
    typeId: 'channel',
    name: 'Channel',
    seedField: 'channels',
    manageScopes: ['manage_channels'],
    readScopes: ['view_channels', 'manage_channels'],
    draft: draftObject(['key'], {
      roles: { type: 'array', items: { type: 'string', enum: CHANNEL_ROLES }, uniqueItems: true, default: ['InventorySupply'] },
      name: localizedString,
      description: localizedString,
      address: { type: 'object' },
      geoLocation: { type: 'object' },
      custom: { type: 'object' },
    }),
  },
  {
    path: 'tax-categories',
    table: 'tax_categories',
    typeId: 'tax-category',
    name: 'TaxCategory',
    seedField: 'taxCategories',
    manageScopes: ['manage_tax_categories'],
    readScopes: ['view_tax_categories', 'manage_tax_categories'],
    draft: draftObject(['key', 'name'], {
      name: nonEmptyString,
      description: { type: 'string' },
      rates: {
        type: 'array',
        default: [],
        items: draftObject(['name', 'amount', 'includedInPrice', 'country'], {
          key: KEY_SCHEMA,
          name: nonEmptyString,
          amount: { type: 'number', minimum: 0, maximum: 1 },
          includedInPrice: { type: 'boolean' },
          country,
          state: { type: 'string' },
          subRates: { type: 'array', items: { type: 'object', required: ['name', 'amount'], properties: { name: nonEmptyString, amount: { type: 'number', minimum: 0, maximum: 1 } } } },
        }),
      },
    }),
    // commercetools gives every tax rate its own id.
    finalize: (data) => ({ ...data, rates: (data.rates as Array<Record<string, unknown>>).map((rate) => ({ id: randomId(), ...rate })) }),
  },
  {
    path: 'customer-groups',
    table: 'customer_groups',
    typeId: 'customer-group',
    name: 'CustomerGroup',
    seedField: 'customerGroups',
    manageScopes: ['manage_customer_groups'],
    readScopes: ['view_customer_groups', 'manage_customer_groups'],
    draft: draftObject(['key', 'groupName'], { groupName: nonEmptyString, custom: { type: 'object' } }),
  },
  {
    path: 'states',
    table: 'states',
    typeId: 'state',
    name: 'State',
    seedField: 'states',
    manageScopes: ['manage_states'],
    readScopes: ['view_states', 'manage_states'],
    draft: draftObject(['key', 'type'], {
      type: { type: 'string', enum: STATE_TYPES },
      name: localizedString,
      description: localizedString,
      initial: { type: 'boolean', default: false },
      roles: { type: 'array', items: { type: 'string', enum: ['ReviewIncludedInStatistics', 'Return'] } },
    }),
    serverFields: () => ({ builtIn: false }),
  },
  {
    path: 'stores',
    table: 'stores',
    typeId: 'store',
    name: 'Store',
    seedField: 'stores',
    manageScopes: ['manage_stores'],
    readScopes: ['view_stores', 'manage_stores'],
    draft: draftObject(['key'], {
      name: localizedString,
      languages: { type: 'array', items: language, default: [] },
      countries: { type: 'array', items: draftObject(['code'], { code: country }), default: [] },
      custom: { type: 'object' },
    }),
    serverFields: () => ({ distributionChannels: [], supplyChannels: [], productSelections: [] }),
  },
  {
    path: 'cart-discounts',
    table: 'cart_discounts',
    typeId: 'cart-discount',
    name: 'CartDiscount',
    seedField: 'cartDiscounts',
    manageScopes: ['manage_cart_discounts'],
    readScopes: ['view_cart_discounts', 'manage_cart_discounts'],
    draft: draftObject(['key', 'name', 'value', 'cartPredicate', 'sortOrder'], {
      name: localizedString,
      description: localizedString,
      value: { type: 'object', required: ['type'], properties: { type: { type: 'string', enum: ['relative', 'absolute', 'fixed', 'giftLineItem'] }, permyriad: { type: 'integer', minimum: 0, maximum: 10000 }, money: { type: 'array', items: money } } },
      cartPredicate: nonEmptyString,
      target: { type: 'object' },
      // commercetools: a decimal between 0 and 1 written as a string, unique per project
      sortOrder: { type: 'string', pattern: '^0\\.\\d*[1-9]$' },
      isActive: { type: 'boolean', default: true },
      requiresDiscountCode: { type: 'boolean', default: false },
      validFrom: { type: 'string' },
      validUntil: { type: 'string' },
      stackingMode: { type: 'string', enum: ['Stacking', 'StopAfterThisDiscount'], default: 'Stacking' },
      custom: { type: 'object' },
    }),
    serverFields: () => ({ references: [] }),
  },
  {
    path: 'product-discounts',
    table: 'product_discounts',
    typeId: 'product-discount',
    name: 'ProductDiscount',
    seedField: 'productDiscounts',
    // commercetools guards Product Discounts with the product scopes.
    manageScopes: ['manage_products'],
    readScopes: ['view_products', 'manage_products'],
    draft: draftObject(['key', 'name', 'value', 'predicate', 'sortOrder'], {
      name: localizedString,
      description: localizedString,
      value: {
        type: 'object',
        required: ['type'],
        properties: { type: { type: 'string', enum: ['relative', 'absolute', 'external'] }, permyriad: { type: 'integer', minimum: 0, maximum: 10000 }, money: { type: 'array', items: money } },
      },
      predicate: nonEmptyString,
      // commercetools: a decimal between 0 and 1 written as a string, unique per project
      sortOrder: { type: 'string', pattern: '^0\\.\\d*[1-9]$' },
      isActive: { type: 'boolean', default: true },
      validFrom: { type: 'string' },
      validUntil: { type: 'string' },
    }),
    serverFields: () => ({ references: [] }),
  },
  {
    path: 'zones',
    table: 'zones',
    typeId: 'zone',
    name: 'Zone',
    seedField: 'zones',
    // commercetools historically guarded zones with the shipping-method scopes; the dedicated ones work too.
    manageScopes: ['manage_shipping_methods', 'manage_zones'],
    readScopes: ['view_shipping_methods', 'manage_shipping_methods', 'view_zones', 'manage_zones'],
    draft: draftObject(['key', 'name'], {
      name: nonEmptyString,
      description: { type: 'string' },
      locations: { type: 'array', items: draftObject(['country'], { country, state: { type: 'string' } }), default: [] },
    }),
  },
  {
    path: 'shipping-methods',
    table: 'shipping_methods',
    typeId: 'shipping-method',
    name: 'ShippingMethod',
    seedField: 'shippingMethods',
    manageScopes: ['manage_shipping_methods'],
    readScopes: ['view_shipping_methods', 'manage_shipping_methods'],
    draft: draftObject(['key', 'name'], {
      name: nonEmptyString,
      localizedName: localizedString,
      description: { type: 'string' },
      localizedDescription: localizedString,
      taxCategory: referenceTo('tax-category'),
      zoneRates: {
        type: 'array',
        default: [],
        items: draftObject(['zone'], {
          zone: referenceTo('zone'),
          shippingRates: { type: 'array', default: [], items: { type: 'object', required: ['price'], properties: { price: money, freeAbove: money, tiers: { type: 'array' } } } },
        }),
      },
      isDefault: { type: 'boolean', default: false },
      predicate: { type: 'string' },
      active: { type: 'boolean', default: true },
      custom: { type: 'object' },
    }),
    references: [
      { path: 'taxCategory', typeId: 'tax-category' },
      { path: 'zoneRates[].zone', typeId: 'zone' },
    ],
  },
  {
    path: 'attribute-groups',
    table: 'attribute_groups',
    typeId: 'attribute-group',
    name: 'AttributeGroup',
    seedField: 'attributeGroups',
    manageScopes: ['manage_attribute_groups'],
    readScopes: ['view_attribute_groups', 'manage_attribute_groups'],
    draft: draftObject(['key', 'name'], {
      name: localizedString,
      description: localizedString,
      attributes: { type: 'array', default: [], items: draftObject(['key'], { key: { type: 'string', minLength: 1 } }) },
    }),
  },
];

export function referencedResource(path: string): ReferencedResourceDefinition {
  const definition = REFERENCED_RESOURCES.find((candidate) => candidate.path === path);
  if (!definition) throw new Error(`no referenced resource at ${path}`);
  return definition;
}
