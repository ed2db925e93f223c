import { ErrorObject } from '../../../common/src';
import { CatalogScope } from '../scope';
import { ImportCustom, toCustomFields, validateCustomFields } from '../custom-fields';
import { ImportPrice, Price, compact, toPrice } from './product-model';

/** The commercetools resource type id of an embedded price (what a Type for its custom fields must be meant for). */
export const EMBEDDED_PRICE_TYPE_ID = 'product-price';

/** An embedded price as stored: like toPrice, with its custom fields converted as for every other resource. */
export function toEmbeddedPrice(price: ImportPrice, resolved: Map<string, string>, existing: Price[] = []): Price {
  const custom = toCustomFields(price.custom as unknown as ImportCustom | undefined, resolved);
  return compact({ ...toPrice(price, resolved, existing), custom });
}

/** Custom-field problems of embedded prices, against their Types; `path` is where the prices sit (e.g. `masterVariant.prices`). */
export async function embeddedPriceErrors(context: CatalogScope, prices: ImportPrice[] | undefined, path: string): Promise<ErrorObject[]> {
  const errors: ErrorObject[] = [];
  for (const [index, price] of (prices ?? []).entries()) {
    if (!price.custom) continue;
    errors.push(...(await validateCustomFields(context.manager, context.projectKey, EMBEDDED_PRICE_TYPE_ID, price.custom as unknown as ImportCustom, `${path}.${index}.custom`)));
  }
  return errors;
}
