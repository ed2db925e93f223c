import { ReferenceTarget } from '../references';
import { CATEGORIES_TABLE } from '../categories/category-tree';
import { TYPES_TABLE } from '../custom-fields';
import { ReadableResource } from '../read.service';
import { INVENTORY_TABLE, STANDALONE_PRICES_TABLE } from '../tables';

/** Reference targets and readable resources of the 'catalog' area. */
export const CATALOG_REFERENCE_TARGETS: ReferenceTarget[] = [
  { typeId: 'category', table: CATEGORIES_TABLE },
  { typeId: 'type', table: TYPES_TABLE },
  { typeId: 'inventory-entry', table: INVENTORY_TABLE },
  { typeId: 'standalone-price', table: STANDALONE_PRICES_TABLE },
];

export const CATALOG_READABLE: ReadableResource[] = [
  { path: 'categories', table: CATEGORIES_TABLE, scopes: ['view_products', 'manage_products', 'view_categories', 'manage_categories'], name: 'Category', predicates: { localized: { slug: `data->'slug'` } } },
  { path: 'types', table: TYPES_TABLE, scopes: ['view_types', 'manage_types'], name: 'Type' },
  { path: 'inventory', table: INVENTORY_TABLE, scopes: ['view_products', 'manage_products'], name: 'InventoryEntry', predicates: { plain: { sku: `data->>'sku'` } } },
  { path: 'standalone-prices', table: STANDALONE_PRICES_TABLE, scopes: ['view_standalone_prices', 'manage_standalone_prices'], name: 'StandalonePrice', predicates: { plain: { sku: `data->>'sku'` } } },
];
