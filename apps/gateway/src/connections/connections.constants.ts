/** The soft open-files limit the registry keeps under (a number, or null for none); read from the process when not provided. */
export const OPEN_FILES_LIMIT = Symbol('OPEN_FILES_LIMIT');

/**
 * What one turn of the event loop may spend on delivery, fan-out and writes together, before the rest waits
 * for a later turn and the sockets (Redis's among them) are read in between (see DeliveryTurn). It bounds
 * the time between two reads of the feed, and one read takes at most the kernel's receive buffer: 128 KiB
 * by default on Linux (tcp_rmem), which the kernel does not always grow. That is ~25 ms of the feed at
 * 100x the default rate (24,000 quotes/s of ~200 bytes); a turn is the budget plus parsing what was read,
 * so the budget is well under it.
 */
export const DELIVERY_BUDGET_MS = 10;
