/** The states of an import operation (`import_operations.state`), as the Import API names them. */

/** States in which an operation still has to be applied; later operations of the same key wait behind it. */
export const OPEN_STATES = ['processing', 'unresolved', 'waitForMasterVariant'] as const;

/** States an operation never leaves (a final operation is never modified again). */
export const FINAL_STATES = ['imported', 'validationFailed', 'rejected', 'canceled', 'partiallyImported'] as const;

/** `('processing', 'unresolved', …)`: the states an operation can still leave, as SQL. */
export const OPEN_STATES_SQL = `(${OPEN_STATES.map((state) => `'${state}'`).join(', ')})`;

/** Every state an operation can be in. */
export type OperationState = (typeof OPEN_STATES)[number] | (typeof FINAL_STATES)[number];
