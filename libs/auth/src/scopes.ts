/** Scope names Berth knows (each is granted per project as `name:{projectKey}`). */
export const KNOWN_SCOPES = [
  'manage_project',
  'manage_import_containers',
  'view_import_containers',
  'manage_products',
  'view_products',
  'manage_customers',
  'view_customers',
  'manage_orders',
  'view_orders',
  'manage_types',
  'view_types',
  'manage_business_units',
  'view_business_units',
  'manage_discount_codes',
  'view_discount_codes',
  'manage_standalone_prices',
  'view_standalone_prices',
  'manage_product_selections',
  'view_product_selections',
  'manage_categories',
  'view_categories',
  'manage_customer_groups',
  'view_customer_groups',
  'manage_tax_categories',
  'view_tax_categories',
  'manage_shipping_methods',
  'view_shipping_methods',
  'manage_cart_discounts',
  'view_cart_discounts',
  'manage_states',
  'view_states',
  'manage_stores',
  'view_stores',
  'manage_channels',
  'view_channels',
  'manage_attribute_groups',
  'view_attribute_groups',
  'manage_zones',
  'view_zones',
] as const;

const SCOPE_PATTERN = /^([a-z_]+):([A-Za-z0-9_-]+)$/;

export function parseScope(scope: string): { name: string; projectKey: string } | undefined {
  const match = SCOPE_PATTERN.exec(scope);
  if (!match || !(KNOWN_SCOPES as readonly string[]).includes(match[1])) return undefined;
  return { name: match[1], projectKey: match[2] };
}

/** Splits a space-separated scope string (tolerating `+` and repeated blanks). */
export function splitScopes(raw: string | undefined): string[] {
  if (!raw) return [];
  return [...new Set(raw.split(/[\s+]+/).filter(Boolean))];
}

/** True when the granted scopes allow any of `required` on `projectKey`; `manage_project:{projectKey}` allows all. */
export function scopesAllow(granted: readonly string[], required: readonly string[], projectKey: string): boolean {
  if (granted.includes(`manage_project:${projectKey}`)) return true;
  return required.some((name) => granted.includes(`${name}:${projectKey}`));
}

/**
 * Whether a client holding `granted` may ask for `requested` in a token: one of its scopes, or implied by
 * them — `manage_project:{projectKey}` implies every scope of that project, `manage_x:{projectKey}` implies
 * `view_x:{projectKey}`. The token then carries only what was asked.
 */
export function scopeImplied(granted: readonly string[], requested: string): boolean {
  if (granted.includes(requested)) return true;
  const parsed = parseScope(requested);
  if (!parsed) return false;
  if (granted.includes(`manage_project:${parsed.projectKey}`)) return true;
  if (parsed.name.startsWith('view_')) return granted.includes(`manage_${parsed.name.slice('view_'.length)}:${parsed.projectKey}`);
  return false;
}
