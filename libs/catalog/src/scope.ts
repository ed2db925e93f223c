import { EntityManager } from 'typeorm';

/**
 * What catalog code needs to read and write one project's domain tables inside a caller's transaction. The
 * pipeline's ApplyContext extends it; catalog knows nothing of operations, waits or wake-ups.
 */
export interface CatalogScope {
  manager: EntityManager;
  projectKey: string;
  /** Ids of the references resolved by the caller, by `${typeId}:${key}` (see referenceId). */
  resolved: Map<string, string>;
  /**
   * Lookups shared by the work of one transaction (e.g. product types, locked products), namespaced by the
   * catalog function that fills them (`product-type:<id>`, `product-key:<key>`).
   */
  cache: Map<string, unknown>;
}

/** What pure model code needs of a scope: the resolved references only (no database). */
export type ResolvedScope = Pick<CatalogScope, 'resolved'>;
