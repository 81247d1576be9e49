// The Request a route handler of an app instance is answering (app-instance-worker.ts sets it):
// a logical client makes one call at a time, so a module that replaces the app's auth can read
// whose request it is, as Next.js's headers() would.
const CURRENT_REQUEST = Symbol.for('chatfuzz.currentRequest');

/** The Request the app instance's route handler is answering now; undefined outside a route call (or outside an app instance). */
export function currentRequest(): Request | undefined {
  return (globalThis as Record<symbol, Request | undefined>)[CURRENT_REQUEST];
}

/** Sets (or clears) the current Request: the app instance's worker does, around each route call. */
export function setCurrentRequest(request: Request | undefined): void {
  (globalThis as Record<symbol, Request | undefined>)[CURRENT_REQUEST] = request;
}
