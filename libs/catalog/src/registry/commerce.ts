import { ReferenceTarget } from '../references';
import { ReadableResource } from '../read.service';

/** Reference targets and readable resources of the 'commerce' area. */
export const COMMERCE_REFERENCE_TARGETS: ReferenceTarget[] = [
  { typeId: 'customer', table: 'customers' },
  { typeId: 'discount-code', table: 'discount_codes' },
  // Order patches wait for their order, by orderNumber (the key of an order row).
  { typeId: 'order', table: 'orders' },
  { typeId: 'business-unit', table: 'business_units' },
  { typeId: 'product-selection', table: 'product_selections' },
  { typeId: 'product-tailoring', table: 'product_tailorings' },
];

export const ORDERS_READABLE: ReadableResource = { path: 'orders', table: 'orders', scopes: ['view_orders', 'manage_orders'], name: 'Order', keyColumnIs: 'orderNumber' };

export const COMMERCE_READABLE: ReadableResource[] = [
  { path: 'customers', table: 'customers', scopes: ['view_customers', 'manage_customers'], name: 'Customer', predicates: { plain: { email: `data->>'email'`, customerNumber: `data->>'customerNumber'` } } },
  { path: 'discount-codes', table: 'discount_codes', scopes: ['view_discount_codes', 'manage_discount_codes'], name: 'DiscountCode', predicates: { plain: { code: `data->>'code'` } } },
  ORDERS_READABLE,
  { path: 'business-units', table: 'business_units', scopes: ['view_business_units', 'manage_business_units'], name: 'BusinessUnit' },
  { path: 'product-selections', table: 'product_selections', scopes: ['view_product_selections', 'manage_product_selections'], name: 'ProductSelection' },
  { path: 'product-tailorings', table: 'product_tailorings', scopes: ['view_products', 'manage_products'], name: 'ProductTailoring' },
];
