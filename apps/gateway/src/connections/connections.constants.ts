/** The soft open-files limit the registry keeps under (a number, or null for none); read from the process when not provided. */
export const OPEN_FILES_LIMIT = Symbol('OPEN_FILES_LIMIT');
