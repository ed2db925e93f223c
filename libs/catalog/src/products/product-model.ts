import { randomUUID } from 'node:crypto';
import { KeyReference } from '../references';

/** A resolved reference as the commercetools HTTP API renders it. */
export interface Reference {
  typeId: string;
  id: string;
}

export type LocalizedString = Record<string, string>;

export interface StoredAttribute {
  name: string;
  value: unknown;
}

export interface Price {
  id: string;
  key?: string;
  value: Record<string, unknown>;
  country?: string;
  customerGroup?: unknown;
  channel?: unknown;
  validFrom?: string;
  validUntil?: string;
  tiers?: unknown[];
  discounted?: unknown;
  custom?: unknown;
}

export interface Asset {
  id: string;
  key?: string;
  [field: string]: unknown;
}

export interface ProductVariant {
  id: number;
  sku?: string;
  key?: string;
  prices: Price[];
  attributes: StoredAttribute[];
  images: unknown[];
  assets: Asset[];
}

export interface ProductData {
  name: LocalizedString;
  slug: LocalizedString;
  description?: LocalizedString;
  categories: Reference[];
  categoryOrderHints: Record<string, string>;
  metaTitle?: LocalizedString;
  metaDescription?: LocalizedString;
  metaKeywords?: LocalizedString;
  searchKeywords: Record<string, unknown>;
  /** Product-level attributes (attribute definitions with level `Product`). */
  attributes?: StoredAttribute[];
  /** Absent on a product created by a ProductImport until a master variant arrives. */
  masterVariant?: ProductVariant;
  variants: ProductVariant[];
}

export interface MasterData {
  current: ProductData;
  staged: ProductData;
  published: boolean;
  hasStagedChanges: boolean;
}

/** `products.data`: the commercetools Product without id/key/version/timestamps. */
export interface ProductDocument {
  productType: Reference;
  taxCategory?: Reference;
  state?: Reference;
  priceMode?: string;
  masterData: MasterData;
}

// ---------------------------------------------------------------------------------------------------------------
// Import payload shapes (already validated against the Import API schema at request time)
// ---------------------------------------------------------------------------------------------------------------

export interface ImportAttribute {
  name?: string;
  type: string;
  value: unknown;
}

export interface ImportMoney {
  type: 'centPrecision' | 'highPrecision';
  currencyCode: string;
  centAmount: number;
  fractionDigits?: number;
  preciseAmount?: number;
}

export interface ImportPrice {
  key: string;
  value: ImportMoney;
  country?: string;
  customerGroup?: KeyReference;
  channel?: KeyReference;
  validFrom?: string;
  validUntil?: string;
  tiers?: Array<{ minimumQuantity: number; value: ImportMoney }>;
  discounted?: { value: ImportMoney; discount: KeyReference };
  custom?: Record<string, unknown>;
}

export interface ImportAsset {
  key: string;
  [field: string]: unknown;
}

export interface ImportVariantDraft {
  key?: string;
  sku?: string;
  prices?: ImportPrice[];
  attributes?: ImportAttribute[];
  images?: unknown[];
  assets?: ImportAsset[];
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------------

/** JSON with sorted keys and without undefined members: two values are equal iff their canonical forms are. */
export function canonical(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(record).sort()) {
      if (record[key] !== undefined) out[key] = sortKeys(record[key]);
    }
    return out;
  }
  return value;
}

/**
 * Whether two values have the same canonical form (see canonical()), compared in place: key order does
 * not matter, undefined members count as absent and undefined array items as null.
 */
export function sameData(a: unknown, b: unknown): boolean {
  // At the top level, as canonical(): undefined has no form (equal only to undefined).
  if (a === undefined || b === undefined) return a === b;
  return sameJson(a, b);
}

/** JSON's view of a scalar: non-finite numbers are null. */
const asJsonScalar = (value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value);

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return asJsonScalar(a) === asJsonScalar(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    // In arrays, undefined items are null.
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i] ?? null, b[i] ?? null)) return false;
    return true;
  }
  if (a instanceof Date || b instanceof Date) return canonical(a) === canonical(b);
  // In objects, undefined members are absent.
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  let defined = 0;
  for (const key of Object.keys(left)) {
    const value = left[key];
    if (value === undefined) continue;
    defined++;
    const other = right[key];
    if (other === undefined || !Object.prototype.hasOwnProperty.call(right, key) || !sameJson(value, other)) return false;
  }
  for (const key of Object.keys(right)) if (right[key] !== undefined) defined--;
  return defined === 0;
}

/**
 * A deep copy as a JSON round trip would make it (`JSON.parse(JSON.stringify(value))`), without the text:
 * undefined members dropped, undefined array items and non-finite numbers as null, `toJSON()` honoured
 * (dates). Stored documents then compare equal after a JSONB round trip.
 */
export function compact<T extends object>(value: T): T {
  return copyAsJson(value) as T;
}

function copyAsJson(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return typeof value === 'number' ? (Number.isFinite(value) ? value + 0 : null) : value;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return JSON.parse(JSON.stringify(value)) as unknown;
  if (Array.isArray(value)) return value.map((item: unknown) => (item === undefined || typeof item === 'function' || typeof item === 'symbol' ? null : copyAsJson(item)));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    // An own member even when named __proto__, as JSON.parse makes it.
    if (key === '__proto__') Object.defineProperty(out, key, { value: copyAsJson(item), enumerable: true, writable: true, configurable: true });
    else out[key] = copyAsJson(item);
  }
  return out;
}

const fractionDigitsCache = new Map<string, number>();

/** Default fraction digits of an ISO 4217 currency (as commercetools defaults `fractionDigits`). */
export function currencyFractionDigits(currencyCode: string): number {
  let digits = fractionDigitsCache.get(currencyCode);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency: currencyCode }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    fractionDigitsCache.set(currencyCode, digits);
  }
  return digits;
}

export function toMoney(money: ImportMoney): Record<string, unknown> {
  if (money.type === 'highPrecision') {
    return { type: 'highPrecision', currencyCode: money.currencyCode, centAmount: money.centAmount, preciseAmount: money.preciseAmount, fractionDigits: money.fractionDigits };
  }
  return { type: 'centPrecision', currencyCode: money.currencyCode, centAmount: money.centAmount, fractionDigits: money.fractionDigits ?? currencyFractionDigits(money.currencyCode) };
}

/** Replaces every `{typeId, key}` found in a value by the resolved `{typeId, id}`. */
export function resolveReferences(value: unknown, resolved: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveReferences(item, resolved));
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (typeof record.typeId === 'string' && typeof record.key === 'string' && keys.every((k) => k === 'typeId' || k === 'key')) {
      const id = resolved.get(`${record.typeId}:${record.key}`);
      return id ? { typeId: record.typeId, id } : record;
    }
    const out: Record<string, unknown> = {};
    for (const key of keys) out[key] = resolveReferences(record[key], resolved);
    return out;
  }
  return value;
}

export function toPrice(price: ImportPrice, resolved: Map<string, string>, existing: Price[] = []): Price {
  const previous = existing.find((candidate) => candidate.key === price.key);
  return compact({
    id: previous?.id ?? randomUUID(),
    key: price.key,
    value: toMoney(price.value),
    country: price.country,
    customerGroup: price.customerGroup ? resolveReferences(price.customerGroup, resolved) : undefined,
    channel: price.channel ? resolveReferences(price.channel, resolved) : undefined,
    validFrom: price.validFrom,
    validUntil: price.validUntil,
    tiers: price.tiers?.map((tier) => ({ minimumQuantity: tier.minimumQuantity, value: toMoney(tier.value) })),
    discounted: price.discounted ? { value: toMoney(price.discounted.value), discount: resolveReferences(price.discounted.discount, resolved) } : undefined,
    custom: price.custom ? resolveReferences(price.custom, resolved) : undefined,
  });
}

export function toAssets(assets: ImportAsset[] | undefined, resolved: Map<string, string>, existing: Asset[] = []): Asset[] {
  return (assets ?? []).map((asset) => {
    const previous = existing.find((candidate) => candidate.key === asset.key);
    return compact({ ...(resolveReferences(asset, resolved) as ImportAsset), id: previous?.id ?? randomUUID() });
  });
}

export const allVariants = (data: ProductData | undefined): ProductVariant[] => (data ? [...(data.masterVariant ? [data.masterVariant] : []), ...data.variants] : []);

/** Variants of both projections, one per variant id (the staged one wins). */
export function distinctVariants(document: ProductDocument): ProductVariant[] {
  const byId = new Map<number, ProductVariant>();
  for (const variant of [...allVariants(document.masterData.staged), ...allVariants(document.masterData.current)]) {
    if (!byId.has(variant.id)) byId.set(variant.id, variant);
  }
  return [...byId.values()];
}

export function nextVariantId(document: ProductDocument | undefined): number {
  if (!document) return 1;
  const ids = [...allVariants(document.masterData.staged), ...allVariants(document.masterData.current)].map((variant) => variant.id);
  return ids.length === 0 ? 1 : Math.max(...ids) + 1;
}

export function findVariant(data: ProductData, predicate: (variant: ProductVariant) => boolean): ProductVariant | undefined {
  return allVariants(data).find(predicate);
}

/** Replaces the variant with the same id (or adds it); `asMaster` makes it the master variant (the old master joins the variants). */
export function putVariant(data: ProductData, variant: ProductVariant, asMaster: boolean): ProductData {
  const isMaster = data.masterVariant?.id === variant.id;
  if (isMaster) return { ...data, masterVariant: variant };
  const others = data.variants.filter((candidate) => candidate.id !== variant.id);
  if (asMaster || !data.masterVariant) {
    return { ...data, masterVariant: variant, variants: data.masterVariant ? [data.masterVariant, ...others] : others };
  }
  const index = data.variants.findIndex((candidate) => candidate.id === variant.id);
  const variants = index >= 0 ? data.variants.map((candidate) => (candidate.id === variant.id ? variant : candidate)) : [...data.variants, variant];
  return { ...data, variants };
}

/** Applies a change to one variant (by id) of a projection, if the projection has it. */
export function mapVariant(data: ProductData, variantId: number, change: (variant: ProductVariant) => ProductVariant): ProductData {
  return {
    ...data,
    masterVariant: data.masterVariant && data.masterVariant.id === variantId ? change(data.masterVariant) : data.masterVariant,
    variants: data.variants.map((variant) => (variant.id === variantId ? change(variant) : variant)),
  };
}

/**
 * New master data after the staged projection changed. `publish: true` copies staged to current;
 * `publish: false` unpublishes; without it, current stays as it was. A new product starts with
 * current = staged, unpublished (as commercetools).
 */
export function withStaged(previous: MasterData | undefined, staged: ProductData, publish: boolean | undefined): MasterData {
  if (publish === true) return { current: staged, staged, published: true, hasStagedChanges: false };
  if (!previous) return { current: staged, staged, published: false, hasStagedChanges: false };
  const published = publish === false ? false : previous.published;
  return { current: previous.current, staged, published, hasStagedChanges: !sameData(staged, previous.current) };
}

/** New master data after both projections changed. */
export function withProjections(previous: MasterData, staged: ProductData, current: ProductData): MasterData {
  return { current, staged, published: previous.published, hasStagedChanges: !sameData(staged, current) };
}
