import { ErrorObject } from '../../common/src';
import { KeyReference } from '../../catalog/src/references';
import { CatalogScope } from '../../catalog/src/scope';

export type ApplyResult =
  | { state: 'imported'; resourceVersion: number }
  | { state: 'unresolved'; unresolvedReferences: KeyReference[] }
  | { state: 'waitForMasterVariant'; unresolvedReferences?: KeyReference[] }
  | { state: 'validationFailed' | 'rejected'; errors: ErrorObject[] };

/** One operation's view of its transaction: the catalog scope plus what the pipeline tracks (resolution, creations). */
export interface ApplyContext extends CatalogScope {
  /** Resolves a reference inside the transaction (for lookups an applier needs beyond `references`). */
  resolve(reference: KeyReference): Promise<string | undefined>;
  /** Records that a resource with this key now exists, so operations waiting for it are retried. */
  created(typeId: string, key: string): void;
}

/** One operation of a batch handed to a set-wise applier: its resource and its own context. */
export interface BatchItem<T> {
  resource: T;
  context: ApplyContext;
}

/**
 * Per-type behaviour of the processor. Adding an import resource type is one file implementing this
 * and one line in the registry.
 */
export interface Applier<T = Record<string, unknown>> {
  /** The ImportResourceType this applier handles (e.g. `category`). */
  readonly resourceType: string;
  /** Every reference the resource needs before it can be applied. */
  references(resource: T): KeyReference[];
  /**
   * Keys other resources may reference that applying this resource creates, besides its own key (a product draft's
   * variant keys). Operations of the same batch accepted after it wait for it to be applied instead of being set
   * `unresolved` at once.
   */
  provides?(resource: T): string[];
  /** Applies the resource inside the operation's transaction. Throwing means a transient failure (retried). */
  apply(resource: T, context: ApplyContext): Promise<ApplyResult>;
  /**
   * Optional set-wise form of apply(): applies the resources of one batch (distinct keys, in accept order)
   * with a few multi-row statements. Its outcome must equal apply() run one by one in that order. If it
   * throws, the processor rolls its writes back and applies the items one by one instead.
   */
  applyMany?(items: Array<BatchItem<T>>): Promise<ApplyResult[]>;
}

/**
 * The applier registry, checked once at start-up: every importable resource type has exactly one applier.
 * A missing one stops the process with a message naming it, instead of operations rejected at run time.
 */
export function checkApplierRegistry(appliers: readonly Applier[], resourceTypes: readonly string[]): Map<string, Applier> {
  const byType = new Map<string, Applier>();
  for (const applier of appliers) {
    if (byType.has(applier.resourceType)) throw new Error(`Two appliers are registered for the import type '${applier.resourceType}'.`);
    byType.set(applier.resourceType, applier);
  }
  const missing = resourceTypes.filter((type) => !byType.has(type));
  if (missing.length > 0) throw new Error(`No applier is registered for the import type(s) ${missing.map((type) => `'${type}'`).join(', ')} (libs/processing/src/appliers/registry.ts).`);
  return byType;
}
