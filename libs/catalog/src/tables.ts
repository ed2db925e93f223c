/** Domain tables whose names more than one module uses (reference targets, read API, writers). */
export const BUSINESS_UNITS_TABLE = 'business_units';
export const CUSTOMERS_TABLE = 'customers';
export const DISCOUNT_CODES_TABLE = 'discount_codes';
export const INVENTORY_TABLE = 'inventory_entries';
export const ORDERS_TABLE = 'orders';
export const PRODUCT_SELECTIONS_TABLE = 'product_selections';
export const PRODUCT_TAILORINGS_TABLE = 'product_tailorings';
export const STANDALONE_PRICES_TABLE = 'standalone_prices';
