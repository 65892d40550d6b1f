/** Progress lines of the deploy scripts, on stderr so that stdout stays the test runner's. */
export function log(msg) {
  console.error(`[deploy] ${msg}`);
}
