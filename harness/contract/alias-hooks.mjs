// Module resolution hooks of an app instance's worker (app-instance-worker.ts): a specifier in the
// target's `alias` map, or a file an alias names by path, resolves to the user's replacement.
import { fileURLToPath } from 'node:url';

let bySpecifier = {};
let byFile = {};

/** Receives the alias maps (file URLs) from register(). */
export function initialize(data) {
  bySpecifier = data?.bySpecifier ?? {};
  byFile = data?.byFile ?? {};
}

const stem = (file) => file.replace(/\.(c|m)?(t|j)sx?$/, '').replace(/\/index$/, '');

/** Replaces aliased specifiers before resolution and aliased files after it. */
export async function resolve(specifier, context, nextResolve) {
  const direct = bySpecifier[specifier];
  // Resolved again through the chain, so tsx loads the replacement as the TypeScript it is.
  if (direct) return nextResolve(direct, context);
  const resolved = await nextResolve(specifier, context);
  const replaced = resolved.url.startsWith('file:') ? byFile[stem(fileURLToPath(resolved.url.replace(/[?#].*$/, '')))] : undefined;
  return replaced ? nextResolve(replaced, context) : resolved;
}
