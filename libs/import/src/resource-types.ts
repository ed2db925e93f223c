/** The Import API's resource types (`ImportResourceType`), their URL path segment and the scope that imports them. */
export interface ResourceTypeInfo {
  type: string;
  path: string;
  /**
   * Resource scopes (without `:{projectKey}`) that allow importing this type: the OpenAPI file's `manage_*` ones. Where
   * it also lists a `view_*` scope (discount codes, product selections, standalone prices), that one is left out: an
   * import is a write, and a `view_*` scope never grants a write (the guard and a start-up check enforce it too).
   */
  scopes: string[];
  /** Body array property: `resources`, or `patches` for the patch types. */
  itemsField: 'resources' | 'patches';
}

export const RESOURCE_TYPES: readonly ResourceTypeInfo[] = [
  { type: 'business-unit', path: 'business-units', scopes: ['manage_business_units'], itemsField: 'resources' },
  { type: 'category', path: 'categories', scopes: ['manage_products'], itemsField: 'resources' },
  { type: 'customer', path: 'customers', scopes: ['manage_customers'], itemsField: 'resources' },
  { type: 'discount-code', path: 'discount-codes', scopes: ['manage_discount_codes'], itemsField: 'resources' },
  { type: 'inventory', path: 'inventories', scopes: ['manage_products'], itemsField: 'resources' },
  { type: 'order', path: 'orders', scopes: ['manage_orders'], itemsField: 'resources' },
  { type: 'order-patch', path: 'order-patches', scopes: ['manage_orders'], itemsField: 'patches' },
  { type: 'price', path: 'prices', scopes: ['manage_products'], itemsField: 'resources' },
  { type: 'product', path: 'products', scopes: ['manage_products'], itemsField: 'resources' },
  { type: 'product-draft', path: 'product-drafts', scopes: ['manage_products'], itemsField: 'resources' },
  { type: 'product-selection', path: 'product-selections', scopes: ['manage_product_selections'], itemsField: 'resources' },
  { type: 'product-tailoring', path: 'product-tailorings', scopes: ['manage_products'], itemsField: 'resources' },
  { type: 'product-type', path: 'product-types', scopes: ['manage_products'], itemsField: 'resources' },
  { type: 'product-variant', path: 'product-variants', scopes: ['manage_products'], itemsField: 'resources' },
  { type: 'product-variant-patch', path: 'product-variant-patches', scopes: ['manage_products'], itemsField: 'patches' },
  { type: 'standalone-price', path: 'standalone-prices', scopes: ['manage_standalone_prices'], itemsField: 'resources' },
  { type: 'type', path: 'types', scopes: ['manage_types'], itemsField: 'resources' },
  { type: 'variant', path: 'variants', scopes: ['manage_products'], itemsField: 'resources' },
];

export const RESOURCE_TYPE_NAMES: readonly string[] = RESOURCE_TYPES.map((info) => info.type);

export const resourceTypeByPath = (path: string) => RESOURCE_TYPES.find((info) => info.path === path);
export const resourceTypeInfo = (type: string) => RESOURCE_TYPES.find((info) => info.type === type);
