import { KeyReference } from '../references';

/**
 * Told after a transaction that created resources has committed (the referenced-resources API and the seed command).
 * Catalog knows nothing of import operations: the pipeline provides the listener that wakes operations waiting for
 * these keys (libs/processing, WakeWaitingOperationsListener); the app module wires it.
 */
export interface ResourcesCreatedListener {
  created(projectKey: string, references: KeyReference[]): Promise<void>;
}

/** Injection token of the `ResourcesCreatedListener[]` the ReferencedResourcesService tells (none when not provided). */
export const RESOURCES_CREATED_LISTENERS = Symbol('RESOURCES_CREATED_LISTENERS');
