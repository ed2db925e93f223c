/** The Import API's resource types (`ImportResourceType`), their URL path segment and the scope that imports them. */
export interface ResourceTypeInfo {
  type: string;
  path: string;
  /** Resource scope (without `:{projectKey}`) that allows importing this type. */
  scope: string;
  /** Body array property: `resources`, or `patches` for the patch types. */
  itemsField: 'resources' | 'patches';
}

export const RESOURCE_TYPES: readonly ResourceTypeInfo[] = [
  { type: 'business-unit', path: 'business-units', scope: 'manage_business_units', itemsField: 'resources' },
  { type: 'category', path: 'categories', scope: 'manage_products', itemsField: 'resources' },
  { type: 'customer', path: 'customers', scope: 'manage_customers', itemsField: 'resources' },
  { type: 'discount-code', path: 'discount-codes', scope: 'manage_discount_codes', itemsField: 'resources' },
  { type: 'inventory', path: 'inventories', scope: 'manage_products', itemsField: 'resources' },
  { type: 'order', path: 'orders', scope: 'manage_orders', itemsField: 'resources' },
  { type: 'order-patch', path: 'order-patches', scope: 'manage_orders', itemsField: 'patches' },
  { type: 'price', path: 'prices', scope: 'manage_products', itemsField: 'resources' },
  { type: 'product', path: 'products', scope: 'manage_products', itemsField: 'resources' },
  { type: 'product-draft', path: 'product-drafts', scope: 'manage_products', itemsField: 'resources' },
  { type: 'product-selection', path: 'product-selections', scope: 'manage_product_selections', itemsField: 'resources' },
  { type: 'product-tailoring', path: 'product-tailorings', scope: 'manage_products', itemsField: 'resources' },
  { type: 'product-type', path: 'product-types', scope: 'manage_products', itemsField: 'resources' },
  { type: 'product-variant', path: 'product-variants', scope: 'manage_products', itemsField: 'resources' },
  { type: 'product-variant-patch', path: 'product-variant-patches', scope: 'manage_products', itemsField: 'patches' },
  { type: 'standalone-price', path: 'standalone-prices', scope: 'manage_standalone_prices', itemsField: 'resources' },
  { type: 'type', path: 'types', scope: 'manage_types', itemsField: 'resources' },
  { type: 'variant', path: 'variants', scope: 'manage_products', itemsField: 'resources' },
];

export const RESOURCE_TYPE_NAMES: readonly string[] = RESOURCE_TYPES.map((info) => info.type);
