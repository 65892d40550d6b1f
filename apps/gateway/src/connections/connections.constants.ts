/** The soft open-files limit the registry keeps under (a number, or null for none); read from the process when not provided. */
export const OPEN_FILES_LIMIT = Symbol('OPEN_FILES_LIMIT');

/**
 * What one turn of the event loop may spend on delivery, fan-out and writes together, before the rest waits
 * for a later turn and the sockets (Redis's among them) are read in between (see DeliveryTurn).
 */
export const DELIVERY_BUDGET_MS = 50;
